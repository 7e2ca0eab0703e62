namespace ChunkCompute.Ops;

/// <summary>What a partial task needs to know about the reduction: the input's shape and which axes are reduced.</summary>
internal sealed class ReductionSpec
{
    public ReductionSpec(long[] inputShape, bool[] reduced, string inputDescription)
    {
        InputShape = inputShape;
        Reduced = reduced;
        InputDescription = inputDescription;
    }

    /// <summary>The whole input's shape (for flat indices of arg-reductions).</summary>
    public long[] InputShape { get; }

    /// <summary>Per input dimension, whether it is reduced.</summary>
    public bool[] Reduced { get; }

    /// <summary>The input array for error messages.</summary>
    public string InputDescription { get; }
}
