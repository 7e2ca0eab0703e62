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
        var sink = new ResultSink<T>(array.Node);
        var statistics = await RunAsync([sink], options, cancellationToken).ConfigureAwait(false);
        return sink.Result(statistics);
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
        var (sa, sb) = (new ResultSink<T1>(a.Node), new ResultSink<T2>(b.Node));
        var statistics = RunAsync([sa, sb], options, cancellationToken).GetAwaiter().GetResult();
        return (sa.Result(statistics), sb.Result(statistics));
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
        var (sa, sb, sc) = (new ResultSink<T1>(a.Node), new ResultSink<T2>(b.Node), new ResultSink<T3>(c.Node));
        var statistics = RunAsync([sa, sb, sc], options, cancellationToken).GetAwaiter().GetResult();
        return (sa.Result(statistics), sb.Result(statistics), sc.Result(statistics));
    }

    /// <summary>
    /// Computes several arrays in one pass, asynchronously. Returns one <c>ComputedArray&lt;T&gt;</c> per node (cast to
    /// the element type you built), in order; prefer the typed overloads where the element types are known.
    /// </summary>
    public static async Task<IReadOnlyList<object>> ComputeAsync(IReadOnlyList<ArrayNode> nodes, ComputeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var sinks = nodes.Select(ResultSink.For).ToArray();
        var statistics = await RunAsync(sinks, options, cancellationToken).ConfigureAwait(false);
        return sinks.Select(s => s.UntypedResult(statistics)).ToArray();
    }

    // Plans the sinks' nodes as one graph and runs it, each output chunk copied into its sink.
    internal static Task<ComputeStatistics> RunAsync(IReadOnlyList<ChunkSink> sinks, ComputeOptions? options, CancellationToken cancellationToken) =>
        options?.Cluster is null ? RunLocalAsync(sinks, options, cancellationToken, substitutions: null) : ClusterRun.RunAsync(sinks, options, cancellationToken);

    // Runs in this process whatever options.Cluster says; substitutions replace nodes by others of the same grid and type
    // (a cluster's replies).
    internal static async Task<ComputeStatistics> RunLocalAsync(IReadOnlyList<ChunkSink> sinks, ComputeOptions? options, CancellationToken cancellationToken, IReadOnlyDictionary<ArrayNode, ArrayNode>? substitutions)
    {
        options ??= new ComputeOptions();
        var clock = Stopwatch.StartNew();
        var plan = ExecutionPlan.Create(sinks.Select(s => s.Node).ToArray(), options, new PassRunner(options), cancellationToken, substitutions);
        var run = options.Observer is null ? null : new ComputeRun(plan);
        var executor = new ChunkExecutor(plan, options, (task, buffer) => sinks[task.OutputNumber].Accept(task, buffer), run);
        if (run is null)
        {
            await ExecuteAsync(plan, executor, options, cancellationToken).ConfigureAwait(false);
            return new ComputeStatistics(plan.Order.Count, executor.PeakBytes, plan.ProjectedPeakBytes, clock.Elapsed);
        }

        options.Observer!.RunStarted(run);
        try
        {
            await ExecuteAsync(plan, executor, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            run.Finish();
            options.Observer.RunFinished(run, null, ex);
            throw;
        }

        var statistics = new ComputeStatistics(plan.Order.Count, executor.PeakBytes, plan.ProjectedPeakBytes, clock.Elapsed);
        run.Finish();
        options.Observer.RunFinished(run, statistics, null);
        return statistics;
    }

    private static async Task ExecuteAsync(ExecutionPlan plan, ChunkExecutor executor, ComputeOptions options, CancellationToken cancellationToken)
    {
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
    }

    /// <summary>Runs the passes a planned node asks for while it is planned, each as a computation of its own under the same options.</summary>
    internal sealed class PassRunner(ComputeOptions options) : IChunkRunner
    {
        public void Run(ArrayNode output, ChunkReceiver receive, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(output);
            ArgumentNullException.ThrowIfNull(receive);
            // In this process even for a cluster computation: a pass is planned here, over nodes no job names.
            RunLocalAsync([new ReceiverSink(output, receive)], options, cancellationToken, substitutions: null).GetAwaiter().GetResult();
        }
    }

    private sealed class ReceiverSink(ArrayNode node, ChunkReceiver receive) : ChunkSink(node)
    {
        public override void Accept(ChunkTask task, ChunkBuffer buffer) => receive(task.ChunkIndex, buffer.Bytes);
    }

    /// <summary>Receives nothing: for sinks that write their chunks themselves.</summary>
    internal sealed class DiscardingSink(ArrayNode node) : ChunkSink(node)
    {
        public override void Accept(ChunkTask task, ChunkBuffer buffer)
        {
        }
    }

    /// <summary>Receives a computation's output chunks for one node.</summary>
    internal abstract class ChunkSink(ArrayNode node)
    {
        public ArrayNode Node { get; } = node;

        public abstract void Accept(ChunkTask task, ChunkBuffer buffer);
    }

    /// <summary>Collects output chunks into one C-order array.</summary>
    private abstract class ResultSink(ArrayNode node) : ChunkSink(node)
    {
        // The element type is only known as a DataType here (the untyped multi-output API): every type the engine
        // computes is listed, so each sink is a statically known instantiation (no reflection, trimming-safe).
        public static ResultSink For(ArrayNode node)
        {
            var t = node.DataType.ClrType;
            return t == typeof(double) ? new ResultSink<double>(node)
                : t == typeof(float) ? new ResultSink<float>(node)
                : t == typeof(long) ? new ResultSink<long>(node)
                : t == typeof(int) ? new ResultSink<int>(node)
                : t == typeof(short) ? new ResultSink<short>(node)
                : t == typeof(sbyte) ? new ResultSink<sbyte>(node)
                : t == typeof(ulong) ? new ResultSink<ulong>(node)
                : t == typeof(uint) ? new ResultSink<uint>(node)
                : t == typeof(ushort) ? new ResultSink<ushort>(node)
                : t == typeof(byte) ? new ResultSink<byte>(node)
                : t == typeof(bool) ? new ResultSink<bool>(node)
                : t == typeof(Half) ? new ResultSink<Half>(node)
                : t == typeof(System.Numerics.Complex) ? new ResultSink<System.Numerics.Complex>(node)
                : t == typeof(ChunkCompute.Storage.Complex32) ? new ResultSink<ChunkCompute.Storage.Complex32>(node)
                : t == typeof(ChunkCompute.Storage.DateTime64) ? new ResultSink<ChunkCompute.Storage.DateTime64>(node)
                : t == typeof(ChunkCompute.Storage.TimeDelta64) ? new ResultSink<ChunkCompute.Storage.TimeDelta64>(node)
                : throw new NotSupportedException($"cannot collect results of element type {node.DataType.Name} ({t.Name})");
        }

        public abstract object UntypedResult(ComputeStatistics statistics);
    }

    private sealed unsafe class ResultSink<T> : ResultSink
        where T : unmanaged
    {
        private readonly ArrayNode _node;
        private readonly T[] _data;
        private readonly long[] _shape;

        public ResultSink(ArrayNode node)
            : base(node)
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

        public ComputedArray<T> Result(ComputeStatistics statistics) => new(_data, _shape, statistics);

        public override object UntypedResult(ComputeStatistics statistics) => Result(statistics);
    }
}
