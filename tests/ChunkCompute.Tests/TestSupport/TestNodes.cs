using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Tests.TestSupport;

/// <summary>A 1-D double source: value k at index k; counts executions; may fail or sleep on chosen chunks.</summary>
internal sealed class CountingSource(long length, int chunk, int failAt = -1, int sleepMs = 0)
    : ArrayNode(DataType.Float64, ChunkGrid.Regular([length], [chunk]), [])
{
    private int _executions;

    public int Executions => Volatile.Read(ref _executions);

    public override string Label => "counting-source";

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
    }

    public override void Execute(ChunkKernelContext context)
    {
        Interlocked.Increment(ref _executions);
        if (sleepMs > 0)
        {
            Task.Delay(sleepMs, context.CancellationToken).GetAwaiter().GetResult();
        }

        if (context.ChunkIndex[0] == failAt)
        {
            throw new InvalidOperationException("boom at " + failAt);
        }

        long origin = Grid.Offset(0, context.ChunkIndex[0]);
        var output = context.Output.As<double>();
        for (int i = 0; i < output.Length; i++)
        {
            output[i] = origin + i;
        }
    }
}

/// <summary>out[k] = sum of inputs[k] (same 1-D grid).</summary>
internal sealed class AddNode(params ArrayNode[] inputs) : ArrayNode(DataType.Float64, inputs[0].Grid, inputs)
{
    public override string Label => "test-add";

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        for (int i = 0; i < Inputs.Count; i++)
        {
            dependencies.Add(new ChunkDependency(i, chunkIndex.ToArray()));
        }
    }

    public override void Execute(ChunkKernelContext context)
    {
        var output = context.Output.As<double>();
        output.Clear();
        foreach (var input in context.Inputs)
        {
            var values = input.As<double>();
            for (int i = 0; i < output.Length; i++)
            {
                output[i] += values[i];
            }
        }
    }
}

/// <summary>out chunk c = input chunk c + the first element of input chunk c-1 (0 for c = 0): a window of two chunks.</summary>
internal sealed class WindowNode(ArrayNode input) : ArrayNode(DataType.Float64, input.Grid, [input])
{
    public override string Label => "test-window";

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        dependencies.Add(new ChunkDependency(0, chunkIndex.ToArray()));
        if (chunkIndex[0] > 0)
        {
            dependencies.Add(new ChunkDependency(0, [chunkIndex[0] - 1]));
        }
    }

    public override void Execute(ChunkKernelContext context)
    {
        var output = context.Output.As<double>();
        var current = context.Inputs[0].As<double>();
        double previousFirst = context.Inputs.Count > 1 ? context.Inputs[1].As<double>()[0] : 0;
        for (int i = 0; i < output.Length; i++)
        {
            output[i] = current[i] + previousFirst;
        }
    }
}

/// <summary>One output element: the sum of all input chunks at once (a task that must hold every input).</summary>
internal sealed class AllToOneNode(ArrayNode input) : ArrayNode(DataType.Float64, ChunkGrid.Regular([1], [1]), [input])
{
    public override string Label => "test-all-to-one";

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        for (long c = 0; c < Inputs[0].Grid.ChunkCount; c++)
        {
            dependencies.Add(new ChunkDependency(0, [c]));
        }
    }

    public override void Execute(ChunkKernelContext context)
    {
        double sum = 0;
        foreach (var input in context.Inputs)
        {
            foreach (var v in input.As<double>())
            {
                sum += v;
            }
        }

        context.Output.As<double>()[0] = sum;
    }
}
