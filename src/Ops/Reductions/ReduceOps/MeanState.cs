namespace ChunkCompute.Ops;

/// <summary>The state of a mean: a compensated sum and how many values it holds.</summary>
internal struct MeanState
{
    /// <summary>The sum of the values.</summary>
    public CompensatedSum Sum;

    /// <summary>How many values were added.</summary>
    public long Count;
}
