namespace ChunkCompute.Ops;

/// <summary>Where a chunk handed to a <see cref="ChunkKernel{T, U}"/> lies.</summary>
public readonly struct ChunkInfo
{
    /// <summary>Creates the description.</summary>
    public ChunkInfo(IReadOnlyList<long> chunkIndex, IReadOnlyList<int> chunkShape, IReadOnlyList<long> origin, IReadOnlyList<int> outputShape)
    {
        ChunkIndex = chunkIndex;
        ChunkShape = chunkShape;
        Origin = origin;
        OutputShape = outputShape;
    }

    /// <summary>The chunk's position in the grid.</summary>
    public IReadOnlyList<long> ChunkIndex { get; }

    /// <summary>The input chunk's shape in elements.</summary>
    public IReadOnlyList<int> ChunkShape { get; }

    /// <summary>The element offset of the input chunk in the array.</summary>
    public IReadOnlyList<long> Origin { get; }

    /// <summary>The output chunk's shape in elements (the input's unless other output chunks were declared).</summary>
    public IReadOnlyList<int> OutputShape { get; }
}
