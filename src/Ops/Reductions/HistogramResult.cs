using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>A lazy histogram: the counts per bin (computed on demand) and the bin edges (known when built).</summary>
/// <param name="Counts">Counts per bin, int64, one chunk of <c>bins</c> elements.</param>
/// <param name="Edges">The <c>bins + 1</c> bin edges, as NumPy's <c>linspace(min, max, bins + 1)</c>.</param>
public sealed record HistogramResult(ChunkedArray<long> Counts, IReadOnlyList<double> Edges);
