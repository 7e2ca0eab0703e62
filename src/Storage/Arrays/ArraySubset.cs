using System.Globalization;

namespace ChunkCompute.Storage;

/// <summary>
/// A box of elements in an array: a start and a shape per dimension (zarrs' ArraySubset). Element space, not chunk
/// space.
/// </summary>
public sealed class ArraySubset
{
    private readonly long[] _start;
    private readonly long[] _shape;

    /// <summary>Creates the box [start, start + shape).</summary>
    public ArraySubset(long[] start, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(shape);
        if (start.Length != shape.Length)
        {
            throw new ArgumentException($"start has {start.Length} dimensions but shape has {shape.Length}");
        }

        if (start.Any(s => s < 0) || shape.Any(s => s < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"region {Format(start, shape)} has a negative start or size");
        }

        _start = (long[])start.Clone();
        _shape = (long[])shape.Clone();
    }

    /// <summary>The whole of an array of <paramref name="shape"/>.</summary>
    public static ArraySubset All(IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return new ArraySubset(new long[shape.Count], shape.ToArray());
    }

    /// <summary>The first element in each dimension.</summary>
    public IReadOnlyList<long> Start => _start;

    /// <summary>Extent in each dimension.</summary>
    public IReadOnlyList<long> Shape => _shape;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _start.Length;

    /// <summary>Elements in the box.</summary>
    public long ElementCount => _shape.Aggregate(1L, (a, b) => a * b);

    internal long[] StartArray => _start;

    internal long[] ShapeArray => _shape;

    /// <summary>True when the box lies inside an array of <paramref name="arrayShape"/>.</summary>
    public bool IsWithin(IReadOnlyList<long> arrayShape)
    {
        ArgumentNullException.ThrowIfNull(arrayShape);
        if (arrayShape.Count != Rank)
        {
            return false;
        }

        for (int d = 0; d < Rank; d++)
        {
            if (_start[d] + _shape[d] > arrayShape[d])
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => Format(_start, _shape);

    private static string Format(long[] start, long[] shape) =>
        "[" + string.Join(", ", start.Select((s, d) => string.Create(CultureInfo.InvariantCulture, $"{s}:{s + shape[d]}"))) + "]";
}
