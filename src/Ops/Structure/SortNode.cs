using System.Numerics;
using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// Sorts every lane along an axis that lies in one chunk (the input is rechunked so): ascending, NaN last, as NumPy's
/// <c>sort</c>; or, for <c>argsort</c>, the lane's indices in that order, ties in index order (NumPy's stable kind).
/// </summary>
internal sealed unsafe class SortNode<T, TOut> : ArrayNode
    where T : unmanaged, INumberBase<T>, IComparisonOperators<T, T, bool>
    where TOut : unmanaged
{
    private readonly int _axis;
    private readonly bool _indices;

    public SortNode(ArrayNode input, int axis, bool indices)
        : base(DataType.Of<TOut>(), input.Grid, [input])
    {
        _axis = axis;
        _indices = indices;
    }

    public override string Label => _indices ? "argsort" : "sort";

    public override IReadOnlyList<string?>? DimensionNames => Inputs[0].DimensionNames;

    /// <summary>One lane's keys and order while it is sorted.</summary>
    public override long ScratchBytes(ReadOnlySpan<long> chunkIndex) => (long)Grid.Size(_axis, chunkIndex[_axis]) * (sizeof(T) + sizeof(int));

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        dependencies.Add(new ChunkDependency(0, chunkIndex.ToArray()));
    }

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (outer, length, inner) = ScanLanes.Of(context.Output.Shape, _axis);
        if (outer * length * inner == 0)
        {
            return;
        }

        var x = new ReadOnlySpan<T>(context.Inputs[0].Pointer, checked((int)(outer * length * inner)));
        var keys = new T[length];
        var order = new int[length];
        var comparer = Comparer<int>.Create((a, b) =>
        {
            T ka = keys[a];
            T kb = keys[b];
            bool na = T.IsNaN(ka);
            bool nb = T.IsNaN(kb);
            int c = na || nb ? na.CompareTo(nb) : ka < kb ? -1 : ka > kb ? 1 : 0;
            return c != 0 ? c : a.CompareTo(b);
        });
        for (long o = 0; o < outer; o++)
        {
            for (long k = 0; k < inner; k++)
            {
                for (int i = 0; i < length; i++)
                {
                    keys[i] = x[(int)((((o * length) + i) * inner) + k)];
                    order[i] = i;
                }

                Array.Sort(order, comparer);
                for (int i = 0; i < length; i++)
                {
                    int at = (int)((((o * length) + i) * inner) + k);
                    if (_indices)
                    {
                        context.Output.As<long>()[at] = order[i];
                    }
                    else
                    {
                        context.Output.As<T>()[at] = keys[order[i]];
                    }
                }
            }
        }
    }
}
