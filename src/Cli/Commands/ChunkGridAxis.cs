namespace ChunkCompute.Cli.Commands;

/// <summary>
/// One dimension of a <see cref="ChunkGridSvg"/> drawing: its length, chunk length, and how many chunks one drawn
/// cell stands for (more than one when the dimension has over <see cref="ChunkGridSvg.MaxCellsPerDimension"/> chunks).
/// </summary>
internal readonly record struct ChunkGridAxis(long Length, int Chunk)
{
    /// <summary>Chunks along this dimension.</summary>
    public long Chunks => GridLength(Length, Chunk);

    /// <summary>Chunks per drawn cell.</summary>
    public long PerCell => Math.Max(1, (Chunks + ChunkGridSvg.MaxCellsPerDimension - 1) / ChunkGridSvg.MaxCellsPerDimension);

    /// <summary>Drawn cells (at least one, so an empty dimension is still an outline).</summary>
    public int Cells => (int)Math.Max(1, (Chunks + PerCell - 1) / PerCell);

    /// <summary>Where <paramref name="cell"/> starts, as a fraction of the side.</summary>
    public double StartFraction(int cell) => Length == 0 ? 0 : (double)Math.Min(Length, cell * PerCell * Chunk) / Length;

    /// <summary>Where <paramref name="cell"/> ends, as a fraction of the side.</summary>
    public double EndFraction(int cell) => Length == 0 ? 1 : (double)Math.Min(Length, (cell + 1) * PerCell * Chunk) / Length;

    /// <summary>Chunks along a dimension of <paramref name="length"/> elements cut every <paramref name="chunk"/>.</summary>
    public static long GridLength(long length, int chunk) => chunk <= 0 ? 0 : (length + chunk - 1) / chunk;
}
