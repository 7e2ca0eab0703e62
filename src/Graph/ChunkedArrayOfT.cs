using ChunkCompute.Storage;

namespace ChunkCompute.Graph;

/// <summary>
/// A lazy, chunked n-dimensional array of <typeparamref name="T"/>: a shape, a <see cref="ChunkGrid"/> and a node of
/// the expression graph. Operations (from ChunkCompute.Ops) build new arrays; nothing runs until
/// <c>Compute()</c> / <c>ComputeAsync()</c> / <c>ToStore()</c> (from ChunkCompute.Scheduler).
/// </summary>
/// <typeparam name="T">bool, sbyte, short, int, long, byte, ushort, uint, ulong, Half, float, double, Complex32,
/// Complex, DateTime64 or TimeDelta64 (the unit of the last two is in <see cref="DataType"/>).</typeparam>
public sealed class ChunkedArray<T>
    where T : unmanaged
{
    /// <summary>Wraps a node whose element type is <typeparamref name="T"/>.</summary>
    /// <exception cref="ArgumentException">The node's data type is not <typeparamref name="T"/>.</exception>
    public ChunkedArray(ArrayNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.DataType.ClrType != typeof(T))
        {
            throw new ArgumentException($"node {node.Label} produces {node.DataType.Name}, not {typeof(T).Name}", nameof(node));
        }

        Node = node;
    }

    /// <summary>The expression node.</summary>
    public ArrayNode Node { get; }

    /// <summary>The shape in elements.</summary>
    public IReadOnlyList<long> Shape => Node.Grid.Shape;

    /// <summary>The chunk grid.</summary>
    public ChunkGrid Chunks => Node.Grid;

    /// <summary>Number of dimensions.</summary>
    public int Rank => Node.Grid.Rank;

    /// <summary>Number of elements.</summary>
    public long Length => Node.Grid.ElementCount;

    /// <summary>The element type.</summary>
    public DataType DataType => Node.DataType;

    /// <summary>
    /// The dimension names (xarray's convention), or null when unnamed: a stored array's, kept through elementwise
    /// operations and rechunking.
    /// </summary>
    public IReadOnlyList<string?>? DimensionNames => Node.DimensionNames;

    /// <summary>
    /// This array with dimension names <paramref name="names"/> (null for an unnamed dimension): a view that costs
    /// nothing; the names follow through operations that keep the dimensions and are written by <c>ToStore</c>.
    /// </summary>
    /// <exception cref="ArgumentException">Not one name per dimension, or a name used twice.</exception>
    public ChunkedArray<T> WithDims(params string?[] names) => new(new NamedDimensionsNode(Node, names));

    /// <summary>The axis named <paramref name="name"/>, for the operations that take an axis number.</summary>
    /// <exception cref="ArgumentException">No dimension has that name (the message lists the names).</exception>
    public int AxisOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var names = DimensionNames;
        for (int d = 0; names is not null && d < names.Count; d++)
        {
            if (string.Equals(names[d], name, StringComparison.Ordinal))
            {
                return d;
            }
        }

        throw new ArgumentException(names is null
            ? $"no dimension is named '{name}': this array's dimensions have no names (name them with WithDims)"
            : $"no dimension is named '{name}'; the dimensions are [{string.Join(", ", names.Select(n => n ?? "(unnamed)"))}]", nameof(name));
    }

    /// <inheritdoc/>
    public override string ToString() => $"ChunkedArray<{typeof(T).Name}> shape [{string.Join(", ", Shape)}] chunks {Chunks} ({Node.Label})";
}
