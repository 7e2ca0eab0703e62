using System.Numerics;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>Builds a kernel for an input element type chosen at run time by <see cref="NumericDispatch"/>.</summary>
internal interface IKernelFactory
{
    /// <summary>Creates the kernel for elements <typeparamref name="T"/> (the array's type is <paramref name="type"/>).</summary>
    ReductionKernel Create<T>(DataType type)
        where T : unmanaged, INumber<T>, IMinMaxValue<T>;
}
