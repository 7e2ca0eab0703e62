using Xunit;
using ChunkCompute.Storage;

namespace ChunkCompute.Tests.TestSupport;

/// <summary>
/// Compares little-endian element buffers: bitwise, except that any NaN equals any NaN (NaN payloads differ between
/// writers; -0.0 and 0.0 stay distinct).
/// </summary>
internal static class ElementAssert
{
    public static void Equal(DataType type, ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, string context)
    {
        Assert.True(expected.Length == actual.Length, $"{context}: expected {expected.Length} bytes, got {actual.Length}");
        int es = type.Size;
        for (int i = 0; i < expected.Length; i += es)
        {
            var e = expected.Slice(i, es);
            var a = actual.Slice(i, es);
            if (e.SequenceEqual(a) || (IsNaN(type, e) && IsNaN(type, a)))
            {
                continue;
            }

            Assert.Fail($"{context}: element {i / es} differs: expected {Show(type, e)}, got {Show(type, a)}");
        }
    }

    private static bool IsNaN(DataType type, ReadOnlySpan<byte> v) => type.Kind switch
    {
        DataTypeKind.Float16 => Half.IsNaN(BitConverter.ToHalf(v)),
        DataTypeKind.Float32 => float.IsNaN(BitConverter.ToSingle(v)),
        DataTypeKind.Float64 => double.IsNaN(BitConverter.ToDouble(v)),
        _ => false,
    };

    private static string Show(DataType type, ReadOnlySpan<byte> v) => type.FormatFillValue(v).ToJsonString() + " (0x" + Convert.ToHexString(v) + ")";
}
