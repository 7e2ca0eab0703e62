using System.Numerics;
using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// Quantiles of every lane along an axis that lies in one chunk: output element (i, …) is quantile q[i] of the lane
/// (NumPy's default "linear" method, its interpolation formula included); with <c>skipNaN</c> NaN values are dropped
/// (NumPy's nanquantile), otherwise a lane holding NaN gives NaN. The output's first axis is q; the lane axis is gone.
/// </summary>
internal sealed unsafe class QuantileNode<T> : ArrayNode
    where T : unmanaged, INumberBase<T>
{
    private readonly int _axis;
    private readonly double[] _q;
    private readonly bool _skipNaN;

    public QuantileNode(ArrayNode input, int axis, double[] q, bool skipNaN)
        : base(DataType.Float64, OutputGrid(input.Grid, axis, q.Length), [input])
    {
        _axis = axis;
        _q = q;
        _skipNaN = skipNaN;
    }

    public override string Label => _skipNaN ? "nanquantile" : "quantile";

    /// <summary>One lane as doubles while it is sorted (allocated by the kernel).</summary>
    public override long HeldBytes(ReadOnlySpan<long> chunkIndex) => Inputs[0].Grid.Shape[_axis] * sizeof(double);

    private static ChunkGrid OutputGrid(ChunkGrid input, int axis, int count) =>
        ChunkGrid.FromSizes([(IReadOnlyList<int>)[count], .. Enumerable.Range(0, input.Rank).Where(d => d != axis).Select(input.Sizes)]);

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        var index = new long[Inputs[0].Grid.Rank];
        for (int d = 0, o = 1; d < index.Length; d++)
        {
            index[d] = d == _axis ? 0 : chunkIndex[o++];
        }

        dependencies.Add(new ChunkDependency(0, index));
    }

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = context.Inputs[0];
        var (outer, length, inner) = ScanLanes.Of(input.Shape, _axis);
        var x = new ReadOnlySpan<T>(input.Pointer, checked((int)(outer * length * inner)));
        var y = context.Output.As<double>();
        long lanes = outer * inner;
        var lane = new double[length];
        for (long o = 0; o < outer; o++)
        {
            for (long k = 0; k < inner; k++)
            {
                int n = 0;
                bool nan = false;
                for (long i = 0; i < length; i++)
                {
                    double v = double.CreateTruncating(x[(int)((((o * length) + i) * inner) + k)]);
                    if (double.IsNaN(v))
                    {
                        nan = true;
                        if (_skipNaN)
                        {
                            continue;
                        }
                    }

                    lane[n++] = v;
                }

                Array.Sort(lane, 0, n);
                long at = (o * inner) + k;
                for (int j = 0; j < _q.Length; j++)
                {
                    y[(int)((j * lanes) + at)] = (nan && !_skipNaN) || n == 0 ? double.NaN : Linear(lane, n, _q[j]);
                }
            }
        }
    }

    // NumPy's "linear" method: virtual index q·(n − 1), interpolated as numpy._lerp does (from the nearer end).
    private static double Linear(double[] sorted, int n, double q)
    {
        double index = q * (n - 1);
        int below = (int)Math.Floor(index);
        int above = Math.Min(below + 1, n - 1);
        double t = index - below;
        double a = sorted[below];
        double b = sorted[above];
        double diff = b - a;
        return t >= 0.5 ? b - (diff * (1 - t)) : a + (diff * t);
    }
}
