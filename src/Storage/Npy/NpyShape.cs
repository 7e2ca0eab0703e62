using System.Globalization;

namespace ChunkCompute.Storage.Npy;

/// <summary>Shape helpers shared by the reader and writer.</summary>
internal static class NpyShape
{
    /// <summary>Formats a shape as Python does: <c>()</c>, <c>(3,)</c>, <c>(3, 4)</c>.</summary>
    public static string Format(long[] shape) => shape.Length switch
    {
        0 => "()",
        1 => $"({shape[0].ToString(CultureInfo.InvariantCulture)},)",
        _ => "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")",
    };

    /// <summary>The element count of <paramref name="shape"/>; throws <see cref="ArgumentException"/> on negative or overflowing dimensions.</summary>
    public static long ElementCount(long[] shape, int elementSize, string paramName)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"negative dimension {d} in shape {Format(shape)}", paramName);
            }

            try
            {
                count = checked(count * d);
                _ = checked(count * elementSize);
            }
            catch (OverflowException e)
            {
                throw new ArgumentException($"shape {Format(shape)} overflows the element count", paramName, e);
            }
        }

        return count;
    }
}
