namespace ChunkCompute.Ops;

/// <summary>The elementwise-state reductions <see cref="KernelFactory"/> builds.</summary>
internal enum ReductionKind
{
    Sum,
    Mean,
    Var,
    Std,
    Min,
    Max,
    ArgMin,
    ArgMax,
    CountNonZero,
    Count,
    Any,
    All,
}
