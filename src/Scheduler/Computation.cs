using System.Diagnostics;
using ChunkCompute.Graph;
using ChunkCompute.Storage.Arrays;

namespace ChunkCompute.Scheduler;

/// <summary>
/// Runs lazy arrays: one array (<c>x.Compute()</c>) or several in one pass (<see cref="Compute(IReadOnlyList{ArrayNode}, ComputeOptions?, CancellationToken)"/>),
/// planned as one graph so shared inputs are read and decoded once.
/// </summary>
public static class Computation
{
    /// <summary>Computes one array into memory.</summary>
    public static ComputedArray<T> Compute<T>(this ChunkedArray<T> array, ComputeOptions? options = null, CancellationToken cancellationToken = default)
        where T : unmanaged => array.ComputeAsync(options, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Computes one array into memory, asynchronously.</summary>
    public static async Task<ComputedArray<T>> ComputeAsync<T>(this ChunkedArray<T> array, ComputeOptions? options = null, CancellationToken cancellationToken = default)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        var results = await ComputeAsync([array.Node], options, cancellationToken).ConfigureAwait(false);
        return (ComputedArray<T>)results[0];
    }

    /// <summary>Computes a scalar (0-d or one-element) array and returns its value.</summary>
    public static T ComputeScalar<T>(this ChunkedArray<T> array, ComputeOptions? options = null, CancellationToken cancellationToken = default)
        where T : unmanaged => array.Compute(options, cancellationToken).Value;

    /// <summary>The plan for computing <paramref name="array"/>: tasks per operation and projected peak memory.</summary>
    /// <exception cref="MemoryPlanRefusedException">The plan does not fit the budget.</exception>
    public static string Explain<T>(this ChunkedArray<T> array, ComputeOptions? options = null)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        return ExecutionPlan.Create([array.Node], options).Explain();
    }

    /// <summary>The expression graph in Graphviz DOT.</summary>
    public static string ToDot<T>(this ChunkedArray<T> array)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        return TaskGraph.ToDot([array.Node]);
    }

    /// <summary>
    /// Computes several arrays in one pass. Returns one <c>ComputedArray&lt;T&gt;</c> per node (cast to the element
    /// type you built), in order.
    /// </summary>
    public static IReadOnlyList<object> Compute(IReadOnlyList<ArrayNode> nodes, ComputeOptions? options = null, CancellationToken cancellationToken = default) =>
        ComputeAsync(nodes, options, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Computes two arrays in one pass.</summary>
    public static (ComputedArray<T1>, ComputedArray<T2>) Compute<T1, T2>(ChunkedArray<T1> a, ChunkedArray<T2> b, ComputeOptions? options = null, CancellationToken cancellationToken = default)
        where T1 : unmanaged
        where T2 : unmanaged
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var r = Compute([a.Node, b.Node], options, cancellationToken);
        return ((ComputedArray<T1>)r[0], (ComputedArray<T2>)r[1]);
    }

    /// <summary>Computes three arrays in one pass (e.g. <c>Compute(u.Mean(), v.Mean(), (u * v).Mean())</c>).</summary>
    public static (ComputedArray<T1>, ComputedArray<T2>, ComputedArray<T3>) Compute<T1, T2, T3>(ChunkedArray<T1> a, ChunkedArray<T2> b, ChunkedArray<T3> c, ComputeOptions? options = null, CancellationToken cancellationToken = default)
        where T1 : unmanaged
        where T2 : unmanaged
        where T3 : unmanaged
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        var r = Compute([a.Node, b.Node, c.Node], options, cancellationToken);
        return ((ComputedArray<T1>)r[0], (ComputedArray<T2>)r[1], (ComputedArray<T3>)r[2]);
    }

    /// <summary>Computes several arrays in one pass, asynchronously.</summary>
    public static async Task<IReadOnlyList<object>> ComputeAsync(IReadOnlyList<ArrayNode> nodes, ComputeOptions? options = null, CancellationToken cancellationToken = default) =>
        (await RunAsync(nodes, options, cancellationToken).ConfigureAwait(false)).Results;

    internal static async Task<(IReadOnlyList<object> Results, ComputeStatistics Statistics)> RunAsync(IReadOnlyList<ArrayNode> nodes, ComputeOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        options ??= new ComputeOptions();
        var clock = Stopwatch.StartNew();
        var plan = ExecutionPlan.Create(nodes, options);
        var sinks = nodes.Select(ResultSink.For).ToArray();
        var executor = new ChunkExecutor(plan, options, (task, buffer) => sinks[task.OutputNumber].Accept(task, buffer));
        if (options.SharedMemory is { } shared)
        {
            // The executor never holds more than the plan's projected peak, so that is what the shared budget lends it.
            await shared.ReserveForAsync(plan.ProjectedPeakBytes, plan.PeakTask?.Node.Label ?? "computation", cancellationToken).ConfigureAwait(false);
            try
            {
                await executor.RunAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                shared.Release(plan.ProjectedPeakBytes);
            }
        }
        else
        {
            await executor.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        var stats = new ComputeStatistics(plan.Order.Count, executor.PeakBytes, plan.ProjectedPeakBytes, clock.Elapsed);
        return (sinks.Select(s => s.Result(stats)).ToArray(), stats);
    }

    /// <summary>Collects output chunks into one C-order array.</summary>
    private abstract class ResultSink
    {
        public static ResultSink For(ArrayNode node)
        {
            var type = typeof(ResultSink<>).MakeGenericType(node.DataType.ClrType);
            return (ResultSink)Activator.CreateInstance(type, node)!;
        }

        public abstract void Accept(ChunkTask task, ChunkBuffer buffer);

        public abstract object Result(ComputeStatistics statistics);
    }

    private sealed unsafe class ResultSink<T> : ResultSink
        where T : unmanaged
    {
        private readonly ArrayNode _node;
        private readonly T[] _data;
        private readonly long[] _shape;

        public ResultSink(ArrayNode node)
        {
            _node = node;
            _shape = node.Grid.Shape.ToArray();
            _data = node.IsSink ? [] : LargeArrays.AllocateUninitialized<T>(checked((int)node.Grid.ElementCount));
        }

        public override void Accept(ChunkTask task, ChunkBuffer buffer)
        {
            if (_node.IsSink || _data.Length == 0)
            {
                return;
            }

            var origin = _node.Grid.Origin(task.ChunkIndex);
            var extent = buffer.Shape.Select(s => (long)s).ToArray();
            fixed (T* dst = _data)
            {
                NdCopy.Copy((byte*)buffer.Pointer, extent, new long[extent.Length], (byte*)dst, _shape, origin, extent, sizeof(T));
            }
        }

        public override object Result(ComputeStatistics statistics) => new ComputedArray<T>(_data, _shape, statistics);
    }
}
