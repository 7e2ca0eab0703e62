using System.Globalization;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;

namespace ChunkCompute.Tests.Scheduler.Cluster;

/// <summary>
/// A slow job for the kill tests, registered by name in the test process and in worker processes (the TestWorker links
/// this file and ClusterTestJobs.cs): "test-slow-rechunk" [source, delayMs] is x of <see cref="ClusterTestJobs"/> in
/// [100, 50] chunks (48 tasks), each chunk copied by a kernel that sleeps delayMs first — long enough that a worker can be
/// killed while the job runs. With <see cref="GateArgument"/> instead of a delay, each kernel waits for <see cref="Gate"/>
/// (in-process silos only), so a test decides when the running kernels end.
/// </summary>
internal static class OrleansTestJobs
{
    public const string SlowRechunk = "test-slow-rechunk";
    public const int SlowChunks = 48;

    /// <summary>The delay argument that makes kernels wait for <see cref="Gate"/> instead of sleeping.</summary>
    public const string GateArgument = "gate";

    private static int _kernelRuns;
    private static int _kernelStarts;

    static OrleansTestJobs()
    {
        ClusterTestJobs.Register();
        ClusterJobs.Register(SlowRechunk, c => [Slow(c).Node]);
    }

    /// <summary>Called after each slow kernel run (a worker process prints a line for the test to count).</summary>
    public static Action? KernelRan { get; set; }

    /// <summary>Slow kernel runs in this process.</summary>
    public static int KernelRuns => Volatile.Read(ref _kernelRuns);

    /// <summary>Slow kernels started in this process (counted before they wait).</summary>
    public static int KernelStarts => Volatile.Read(ref _kernelStarts);

    /// <summary>What kernels of a job run with <see cref="GateArgument"/> wait for (at most 30 s).</summary>
    public static ManualResetEventSlim Gate { get; } = new(false);

    /// <summary>Makes sure the jobs are registered in this process.</summary>
    public static void Register()
    {
    }

    public static ChunkedArray<double> Slow(ClusterJobContext context)
    {
        bool gated = context.Arguments[1] == GateArgument;
        int delay = gated ? 0 : int.Parse(context.Arguments[1], CultureInfo.InvariantCulture);
        return context.OpenStore(context.Arguments[0]).Open<double>("x").Rechunk([100, 50]).MapBlocks(
            (ReadOnlySpan<double> input, Span<double> output, ChunkInfo info) =>
            {
                Interlocked.Increment(ref _kernelStarts);
                if (gated)
                {
                    if (!Gate.Wait(TimeSpan.FromSeconds(30)))
                    {
                        throw new TimeoutException("the test never opened the gate");
                    }
                }
                else
                {
                    Thread.Sleep(delay);
                }

                input.CopyTo(output);
                Interlocked.Increment(ref _kernelRuns);
                KernelRan?.Invoke();
            });
    }
}
