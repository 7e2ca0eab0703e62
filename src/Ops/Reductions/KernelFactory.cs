using System.Numerics;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// Chooses state, accumulator and result types per NumPy: integer/bool sums in int64 (unsigned in uint64), float
/// sums in their own type; means and variances of integers in float64, of floats in their own type.
/// </summary>
internal readonly struct KernelFactory : IKernelFactory
{
    private readonly ReductionKind _kind;
    private readonly bool _skipNaN;
    private readonly double _ddof;

    public KernelFactory(ReductionKind kind, bool skipNaN, double ddof)
    {
        _kind = kind;
        _skipNaN = skipNaN;
        _ddof = ddof;
    }

    public ReductionKernel Create<T>(DataType type)
        where T : unmanaged, INumber<T>, IMinMaxValue<T>
    {
        string name = (_skipNaN ? "nan" : string.Empty) + _kind.ToString().ToLowerInvariant();
        bool isFloat = NumericDispatch.IsFloat<T>();
        bool unsigned = type.Kind is DataTypeKind.UInt8 or DataTypeKind.UInt16 or DataTypeKind.UInt32 or DataTypeKind.UInt64;
        return _kind switch
        {
            ReductionKind.Sum when isFloat => new ReduceOpKernel<T, CompensatedSum, T, FloatSumOp<T, T>>(name, new(_skipNaN)),
            ReductionKind.Sum when unsigned => new ReduceOpKernel<T, ulong, ulong, IntegerSumOp<T, ulong>>(name, default),
            ReductionKind.Sum => new ReduceOpKernel<T, long, long, IntegerSumOp<T, long>>(name, default),
            ReductionKind.Mean when isFloat => new ReduceOpKernel<T, MeanState, T, MeanOp<T, T>>(name, new(_skipNaN)),
            ReductionKind.Mean => new ReduceOpKernel<T, MeanState, double, MeanOp<T, double>>(name, new(_skipNaN)),
            ReductionKind.Var or ReductionKind.Std when isFloat =>
                new ReduceOpKernel<T, MomentState, T, MomentOp<T, T>>(name, new(_skipNaN, _ddof, _kind == ReductionKind.Std)),
            ReductionKind.Var or ReductionKind.Std =>
                new ReduceOpKernel<T, MomentState, double, MomentOp<T, double>>(name, new(_skipNaN, _ddof, _kind == ReductionKind.Std)),
            ReductionKind.Min or ReductionKind.Max =>
                new ReduceOpKernel<T, T, T, MinMaxOp<T>>(name, new(_kind == ReductionKind.Max, _skipNaN), type),
            ReductionKind.ArgMin or ReductionKind.ArgMax =>
                new ReduceOpKernel<T, ArgState<T>, long, ArgOp<T, NaNIsMissing<T>>>(name, new(_kind == ReductionKind.ArgMax)),
            ReductionKind.CountNonZero => new ReduceOpKernel<T, long, long, CountOp<T>>(name, new(CountMode.NonZero)),
            ReductionKind.Count => new ReduceOpKernel<T, long, long, CountOp<T>>(name, new(_skipNaN ? CountMode.NotNaN : CountMode.All)),
            ReductionKind.Any or ReductionKind.All =>
                new ReduceOpKernel<T, byte, byte, LogicalOp<T>>(name, new(_kind == ReductionKind.All), DataType.Bool),
            _ => throw new ArgumentOutOfRangeException(nameof(type), _kind, "unknown reduction"),
        };
    }
}
