using System.Runtime.InteropServices;
using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Tests.ML.Streaming;

namespace ChunkCompute.Tests.Ops.Reductions;

/// <summary>
/// The public tree-reduction abstraction used from outside Ops: a per-column sum of squares written only against
/// <see cref="MergeableReduction"/> gets the tree shape of the fan-in, takes streamed chunks over a Blosc array, and
/// matches a naive sum; bad layouts are refused with messages naming the reduction.
/// </summary>
public sealed class MergeableReductionTests
{
    [Fact]
    public void CustomReduction_TreeShape_Streaming_AndResult()
    {
        var rng = new Random(3);
        var values = Enumerable.Range(0, 1000 * 7).Select(_ => Math.Round(rng.NextDouble() * 10, 3)).ToArray();
        using var store = StreamedFitTests.BloscStore(values, [100, 7], blockSize: 1000);
        var x = store.Open<double>("x");

        var tree = ReductionTree.Build(new SumOfSquares(x.Node), splitEvery: 3);
        // 10 row blocks → 4 → 2 → 1 with fan-in 3.
        Assert.Equal([10L, 4L, 2L, 1L], tree.Levels.Select(l => l.Grid.GridShape[0]));
        Assert.Equal(["squares-partial", "squares-combine", "squares-combine", "squares-combine"], tree.Levels.Select(l => l.Label));
        var result = new ChunkedArray<double>(tree.Finalize());
        Assert.Contains("streamed", result.Explain(), StringComparison.Ordinal);
        Assert.Equal(10, SumOfSquares.StreamedPartials(() => result.Compute()));

        var actual = result.Compute().ToArray();
        for (int c = 0; c < 7; c++)
        {
            double expected = Enumerable.Range(0, 1000).Sum(r => values[(r * 7) + c] * values[(r * 7) + c]);
            Assert.Equal(expected, actual[c], 1e-9 * expected);
        }
    }

    [Fact]
    public void BadLayouts_AreRefused_NamingTheReduction()
    {
        var x = ChunkedArray.FromArray(new double[40], [20, 2], [5, 2]);
        var ex = Assert.Throws<ArgumentException>(() => new SumOfSquares(x.Node, [true]));
        Assert.Contains("squares", ex.Message, StringComparison.Ordinal);
        var bad = Assert.Throws<InvalidOperationException>(() => ReductionTree.Build(new SumOfSquares(x.Node, badCombineGrid: true)));
        Assert.Contains("squares", bad.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => ReductionTree.Build(new SumOfSquares(x.Node), splitEvery: 1));
    }

    private sealed class SumOfSquares : MergeableReduction
    {
        private readonly ChunkGrid _input;
        private readonly bool _badCombineGrid;

        public SumOfSquares(ArrayNode x, bool[]? reduced = null, bool badCombineGrid = false)
            : base("squares", [x], ChunkGrid.FromSizes([Enumerable.Repeat(1, x.Grid.Sizes(0).Count).ToArray(), x.Grid.Sizes(1)]), reduced ?? [true, false], DataType.Float64)
        {
            _input = x.Grid;
            _badCombineGrid = badCombineGrid;
        }

        private static int _streamedTotal;

        public static int StreamedPartials(Action run)
        {
            Interlocked.Exchange(ref _streamedTotal, 0);
            run();
            return Volatile.Read(ref _streamedTotal);
        }

        public override bool ConsumesStream(ReadOnlySpan<long> stateIndex) => true;

        public override ChunkGrid CombineGrid(int level, ChunkGrid merged) => _badCombineGrid ? ChunkGrid.FromSizes([[1, 1, 1], merged.Sizes(1)]) : merged;

        public override void Partial(ChunkKernelContext context)
        {
            int cols = _input.Size(1, context.ChunkIndex[1]);
            var state = context.Output.As<double>()[..cols];
            state.Clear();
            if (context.InputStream is { } stream)
            {
                Interlocked.Increment(ref _streamedTotal);
                while (stream.TryRead(out var bytes, out long first))
                {
                    var piece = MemoryMarshal.Cast<byte, double>(bytes);
                    for (int i = 0; i < piece.Length; i++)
                    {
                        state[(int)((first + i) % cols)] += piece[i] * piece[i];
                    }
                }

                return;
            }

            var input = context.Inputs[0].As<double>();
            for (int i = 0; i < _input.ChunkElements(context.Dependencies[0].ChunkIndex); i++)
            {
                state[i % cols] += input[i] * input[i];
            }
        }

        public override void Combine(int level, ChunkGrid grid, ChunkKernelContext context)
        {
            var state = context.Output.As<double>()[..grid.Size(1, context.ChunkIndex[1])];
            context.Inputs[0].As<double>()[..state.Length].CopyTo(state);
            for (int p = 1; p < context.Inputs.Count; p++)
            {
                var other = context.Inputs[p].As<double>();
                for (int i = 0; i < state.Length; i++)
                {
                    state[i] += other[i];
                }
            }
        }

        public override DataType OutputType => DataType.Float64;

        public override ChunkGrid OutputGrid(ChunkGrid root) => ChunkGrid.FromSizes([root.Sizes(1)]);

        public override void FinalizeDependencies(ReadOnlySpan<long> outputIndex, IList<ChunkDependency> dependencies) =>
            dependencies.Add(new ChunkDependency(0, [0, outputIndex[0]]));

        public override void Finalize(ChunkKernelContext context)
        {
            int n = _input.Size(1, context.ChunkIndex[0]);
            context.Inputs[0].As<double>()[..n].CopyTo(context.Output.As<double>()[..n]);
        }
    }
}
