namespace ChunkCompute.Ops;

/// <summary>
/// An operation whose state only needs (sum, count) — sum and mean without NaN skipping — so a reduction over a
/// non-innermost axis can add whole rows into a float64 row buffer with SIMD and fold that buffer into the states
/// every few rows (keeping the compensation) instead of updating each state element by element.
/// </summary>
internal interface IRowSumOp<TIn, TState>
{
    /// <summary>True when the row path applies (e.g. not when NaNs must be skipped).</summary>
    bool AccumulatesRows { get; }

    /// <summary>Adds <paramref name="row"/> into <paramref name="target"/> in float64 (<paramref name="scratch"/>: room to widen it).</summary>
    void AddRow(Span<double> target, ReadOnlySpan<TIn> row, Span<double> scratch);

    /// <summary>
    /// Adds <paramref name="sums"/>[j], each a partial sum of <paramref name="count"/> values, to
    /// <paramref name="states"/>[j] (one call per folded row: the loop runs inside the operation's own code).
    /// </summary>
    void AddSums(Span<TState> states, ReadOnlySpan<double> sums, long count);
}
