namespace ChunkCompute.ML;

/// <summary>
/// Per-record reductions of a ragged array, computed in one streaming pass over its values. An empty record has sum 0
/// and NaN mean, min and max; a NaN value makes its record's min and max NaN (as NumPy's <c>min</c>/<c>max</c>).
/// </summary>
/// <param name="Sums">The sum of each record's values (compensated, in float64).</param>
/// <param name="Means">The mean of each record's values.</param>
/// <param name="Mins">The smallest value of each record.</param>
/// <param name="Maxs">The largest value of each record.</param>
public sealed record RaggedStatistics(double[] Sums, double[] Means, double[] Mins, double[] Maxs);
