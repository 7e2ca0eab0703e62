using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// numcodecs <c>Delta</c> filter: stores the first element and then successive differences of the flattened chunk
/// (wrapping for integers). Zarr v2 id <c>delta</c> (<c>{"id": "delta", "dtype": "&lt;i4", "astype": "&lt;i4"}</c>),
/// Zarr v3 name <c>numcodecs.delta</c>. Only <c>astype == dtype</c> is supported.
/// </summary>
public sealed class DeltaCodec : IArrayToArrayCodec
{
    /// <summary>Creates the filter for elements of <paramref name="dataType"/>.</summary>
    public DeltaCodec(DataType dataType)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        if (dataType.Kind is DataTypeKind.Bool or DataTypeKind.Complex64 or DataTypeKind.Complex128)
        {
            throw new UnsupportedCodecException("delta", $"the delta filter does not apply to {dataType.Name} arrays");
        }

        DataType = dataType;
    }

    /// <inheritdoc/>
    public string Name => "numcodecs.delta";

    /// <summary>The element type the differences are taken in.</summary>
    public DataType DataType { get; }

    /// <inheritdoc/>
    public int[] EncodedShape(int[] decodedShape) => decodedShape;

    /// <inheritdoc/>
    public void Encode(ReadOnlySpan<byte> decoded, int[] decodedShape, Span<byte> encoded)
    {
        decoded.CopyTo(encoded);
        Apply(encoded, forward: true);
    }

    /// <inheritdoc/>
    public void Decode(ReadOnlySpan<byte> encoded, int[] decodedShape, Span<byte> decoded)
    {
        encoded.CopyTo(decoded);
        Apply(decoded, forward: false);
    }

    private void Apply(Span<byte> data, bool forward)
    {
        switch (DataType.Kind)
        {
            case DataTypeKind.Int8: Run(MemoryMarshal.Cast<byte, sbyte>(data), forward); break;
            case DataTypeKind.Int16: Run(MemoryMarshal.Cast<byte, short>(data), forward); break;
            case DataTypeKind.Int32: Run(MemoryMarshal.Cast<byte, int>(data), forward); break;
            case DataTypeKind.Int64 or DataTypeKind.DateTime64 or DataTypeKind.TimeDelta64: Run(MemoryMarshal.Cast<byte, long>(data), forward); break;
            case DataTypeKind.UInt8: Run(data, forward); break;
            case DataTypeKind.UInt16: Run(MemoryMarshal.Cast<byte, ushort>(data), forward); break;
            case DataTypeKind.UInt32: Run(MemoryMarshal.Cast<byte, uint>(data), forward); break;
            case DataTypeKind.UInt64: Run(MemoryMarshal.Cast<byte, ulong>(data), forward); break;
            case DataTypeKind.Float16: Run(MemoryMarshal.Cast<byte, Half>(data), forward); break;
            case DataTypeKind.Float32: Run(MemoryMarshal.Cast<byte, float>(data), forward); break;
            default: Run(MemoryMarshal.Cast<byte, double>(data), forward); break;
        }
    }

    private static void Run<T>(Span<T> v, bool forward)
        where T : INumberBase<T>
    {
        if (forward)
        {
            for (int i = v.Length - 1; i > 0; i--)
            {
                v[i] = unchecked(v[i] - v[i - 1]);
            }
        }
        else
        {
            for (int i = 1; i < v.Length; i++)
            {
                v[i] = unchecked(v[i] + v[i - 1]);
            }
        }
    }

    /// <inheritdoc/>
    public JsonObject ToV3Json() => new()
    {
        ["name"] = Name,
        ["configuration"] = new JsonObject { ["dtype"] = DataType.ToNumpyTypestr() },
    };

    /// <inheritdoc/>
    public JsonObject? ToV2Json() => new()
    {
        ["id"] = "delta",
        ["dtype"] = DataType.ToNumpyTypestr(),
        ["astype"] = DataType.ToNumpyTypestr(),
    };
}
