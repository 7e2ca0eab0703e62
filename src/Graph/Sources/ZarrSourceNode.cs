using ChunkCompute.Storage;

namespace ChunkCompute.Graph;

/// <summary>
/// A source node that reads an array from a Zarr store; by default its grid is the store's chunk grid, so each task
/// reads and decodes exactly one stored chunk, straight into the task's output buffer.
/// </summary>
public sealed class ZarrSourceNode : ArrayNode
{
    private readonly bool _onStoredGrid;

    /// <summary>Creates the node; <paramref name="grid"/> defaults to the stored chunk grid.</summary>
    public ZarrSourceNode(ZarrArray array, ChunkGrid? grid = null)
        : base(Require(array).DataType, grid ?? ChunkGrid.Regular(array.Shape, array.ChunkShape), [])
    {
        Array = array;
        _onStoredGrid = Grid.Equals(ChunkGrid.Regular(array.Shape, array.ChunkShape));
        if (!Grid.Shape.SequenceEqual(array.Shape))
        {
            throw new ArgumentException($"grid shape [{string.Join(", ", Grid.Shape)}] differs from array '{array.Path}' [{string.Join(", ", array.Shape)}]", nameof(grid));
        }
    }

    /// <summary>The stored array.</summary>
    public ZarrArray Array { get; }

    /// <inheritdoc/>
    public override string Label => "read " + (Array.Path.Length == 0 ? "/" : Array.Path);

    /// <inheritdoc/>
    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
    }

    /// <summary>
    /// On the stored grid a chunk decodes straight into the output, so the scratch is the compressed bytes read (at
    /// most about one chunk); on another grid each stored chunk touched is also decoded into a temporary buffer.
    /// </summary>
    public override long ScratchBytes(ReadOnlySpan<long> chunkIndex) =>
        (_onStoredGrid ? 1L : 2L) * Array.Metadata.ChunkElementCount * DataType.Size;

    /// <inheritdoc/>
    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var origin = Grid.Origin(context.ChunkIndex);
        var extent = context.Output.Shape.Select(s => (long)s).ToArray();
        Array.ReadBytes(new ArraySubset(origin, extent), context.Output.Bytes, useCache: false, context.CancellationToken);
    }

    private static ZarrArray Require(ZarrArray array) => array ?? throw new ArgumentNullException(nameof(array));
}
