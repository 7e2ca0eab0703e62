namespace ChunkCompute.Ops;

/// <summary>A float64 running sum with Neumaier's compensation (error independent of the number of terms).</summary>
internal struct CompensatedSum
{
    /// <summary>The rounded running sum.</summary>
    public double Sum;

    /// <summary>The accumulated rounding error.</summary>
    public double Compensation;

    /// <summary>The compensated total (non-finite sums are returned as they are: the compensation is then NaN).</summary>
    public readonly double Value => double.IsFinite(Sum) ? Sum + Compensation : Sum;

    /// <summary>Adds one term.</summary>
    public void Add(double value)
    {
        double t = Sum + value;
        Compensation += Math.Abs(Sum) >= Math.Abs(value) ? (Sum - t) + value : (value - t) + Sum;
        Sum = t;
    }

    /// <summary>Adds another compensated sum.</summary>
    public void Merge(in CompensatedSum other)
    {
        Add(other.Sum);
        Compensation += other.Compensation;
    }
}
