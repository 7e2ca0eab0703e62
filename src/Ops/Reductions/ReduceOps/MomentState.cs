namespace ChunkCompute.Ops;

/// <summary>The state of a variance: count, mean and the sum of squared deviations M2 (Chan et al.'s merge).</summary>
internal struct MomentState
{
    /// <summary>How many values.</summary>
    public double Count;

    /// <summary>Their mean.</summary>
    public double Mean;

    /// <summary>Σ (x − mean)².</summary>
    public double M2;

    /// <summary>Merges another state (Chan, Golub, LeVeque's pairwise update).</summary>
    public void Merge(in MomentState other)
    {
        if (other.Count == 0)
        {
            return;
        }

        if (Count == 0)
        {
            this = other;
            return;
        }

        double n = Count + other.Count;
        double delta = other.Mean - Mean;
        Mean += delta * (other.Count / n);
        M2 += other.M2 + (delta * delta * (Count * other.Count / n));
        Count = n;
    }
}
