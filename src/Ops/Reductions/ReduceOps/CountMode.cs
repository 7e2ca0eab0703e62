namespace ChunkCompute.Ops;

/// <summary>What <see cref="CountOp{T}"/> counts.</summary>
internal enum CountMode
{
    /// <summary>Every element.</summary>
    All,

    /// <summary>Elements that are not NaN.</summary>
    NotNaN,

    /// <summary>Elements that are not zero (NaN counts: it is not zero).</summary>
    NonZero,
}
