using System.Numerics;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>Builds a <see cref="HistogramKernel{T}"/> for the array's element type.</summary>
internal readonly struct HistogramFactory : IKernelFactory
{
    private readonly int _bins;
    private readonly double[] _edges;

    public HistogramFactory(int bins, double[] edges)
    {
        _bins = bins;
        _edges = edges;
    }

    public ReductionKernel Create<T>(DataType type)
        where T : unmanaged, INumber<T>, IMinMaxValue<T> => new HistogramKernel<T>(_bins, _edges);
}
