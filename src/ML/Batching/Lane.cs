using System.Buffers;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

namespace ChunkCompute.ML;

/// <summary>One array of a (possibly zipped) batch stream: how to slice, copy and wrap its rows, whatever its element type.</summary>
internal abstract class Lane
{
    protected Lane(ArrayNode node, int elementSize)
    {
        Node = node;
        var shape = node.Grid.Shape;
        RowShape = shape.Skip(1).ToArray();
        RowElements = checked((int)RowShape.Aggregate(1L, (a, b) => a * b));
        RowBytes = (long)RowElements * elementSize;
    }

    public ArrayNode Node { get; }

    public long[] RowShape { get; }

    public int RowElements { get; }

    public long RowBytes { get; }

    public long Rows => Node.Grid.Shape[0];

    /// <summary>True when the array is a stored array read as is, so row blocks can be read straight from the store.</summary>
    public bool IsStored => Node is ZarrSourceNode;

    /// <summary>
    /// For a stored array, the most decode scratch one block read can take: a decoded and a compressed chunk per
    /// concurrent decode (the store's MaxConcurrency, at most the chunks in a block). 0 for computed arrays.
    /// </summary>
    public long StoredReadScratchBytes
    {
        get
        {
            if (Node is not ZarrSourceNode source)
            {
                return 0;
            }

            long chunkBytes = source.Array.ChunkShape.Aggregate(1L, (a, b) => a * b) * source.Array.DataType.Size;
            long chunksPerBlock = Node.Grid.GridShape.Skip(1).Aggregate(1L, (a, b) => a * b);
            return 2 * chunkBytes * Math.Min(chunksPerBlock, source.Array.Store.Options.MaxConcurrency);
        }
    }

    /// <summary>Reads rows [start, start + rows) of a stored array into a pooled buffer (see <see cref="IsStored"/>).</summary>
    public abstract Array ReadStored(long start, int rows, CancellationToken cancellationToken);

    /// <summary>A lazy slice of rows [start, stop).</summary>
    public abstract ArrayNode SliceRows(long start, long stop);

    /// <summary>The data of a computed block (a <c>ComputedArray&lt;T&gt;</c>) and the engine's peak for it.</summary>
    public abstract (Array Data, long EnginePeak) Unwrap(object computed);

    public abstract Array Rent(int rows);

    public abstract Array Allocate(int rows);

    public abstract void Return(Array rented);

    public abstract void Copy(Array source, int sourceRow, Array destination, int destinationRow, int rows);

    public abstract IDisposable Wrap(Array data, int rows, long[] rowIndices, long number, Action release);
}

/// <summary>A lane of <typeparamref name="T"/> elements.</summary>
internal sealed class Lane<T> : Lane
    where T : unmanaged
{
    private readonly ChunkedArray<T> _array;

    public unsafe Lane(ChunkedArray<T> array)
        : base(array.Node, sizeof(T))
    {
        _array = array;
    }

    public override Array ReadStored(long start, int rows, CancellationToken cancellationToken)
    {
        var stored = ((ZarrSourceNode)Node).Array;
        var data = (T[])Rent(rows);
        var regionStart = new long[RowShape.Length + 1];
        regionStart[0] = start;
        stored.Read<T>(new ArraySubset(regionStart, [rows, .. RowShape]), data.AsSpan(0, rows * RowElements), cancellationToken);
        return data;
    }

    public override ArrayNode SliceRows(long start, long stop) => _array.Slice(SliceSpec.Range(start, stop)).Node;

    public override (Array Data, long EnginePeak) Unwrap(object computed)
    {
        var c = (ComputedArray<T>)computed;
        return (c.ToArray(), c.Statistics.PeakMemoryBytes);
    }

    public override Array Rent(int rows) => ArrayPool<T>.Shared.Rent(Math.Max(1, checked(rows * RowElements)));

    public override Array Allocate(int rows) => new T[checked(rows * RowElements)];

    public override void Return(Array rented) => ArrayPool<T>.Shared.Return((T[])rented);

    public override void Copy(Array source, int sourceRow, Array destination, int destinationRow, int rows) =>
        ((T[])source).AsSpan(checked(sourceRow * RowElements), rows * RowElements).CopyTo(((T[])destination).AsSpan(checked(destinationRow * RowElements)));

    public override IDisposable Wrap(Array data, int rows, long[] rowIndices, long number, Action release) =>
        new Batch<T>((T[])data, rows, rowIndices, [rows, .. RowShape], number, release);
}
