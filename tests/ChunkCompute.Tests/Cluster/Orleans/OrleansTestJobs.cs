using System.Globalization;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;

namespace ChunkCompute.Tests.Scheduler.Cluster;

/// <summary>
/// A slow job for the kill tests, registered by name in the test process and in worker processes (the TestWorker links
/// this file and ClusterTestJobs.cs): "test-slow-rechunk" [source, delayMs] is x of <see cref="ClusterTestJobs"/> in
/// [100, 50] chunks (48 tasks), each chunk copied by a kernel that sleeps delayMs first — long enough that a worker can be
/// killed while the job runs.
/// </summary>
internal static class OrleansTestJobs
{
    public const string SlowRechunk = "test-slow-rechunk";
    public const int SlowChunks = 48;

    private static int _kernelRuns;

    static OrleansTestJobs()
    {
        ClusterTestJobs.Register();
        ClusterJobs.Register(SlowRechunk, c => [Slow(c).Node]);
    }

    /// <summary>Called after each slow kernel run (a worker process prints a line for the test to count).</summary>
    public static Action? KernelRan { get; set; }

    /// <summary>Slow kernel runs in this process.</summary>
    public static int KernelRuns => Volatile.Read(ref _kernelRuns);

    /// <summary>Makes sure the jobs are registered in this process.</summary>
    public static void Register()
    {
    }

    public static ChunkedArray<double> Slow(ClusterJobContext context)
    {
        int delay = int.Parse(context.Arguments[1], CultureInfo.InvariantCulture);
        return context.OpenStore(context.Arguments[0]).Open<double>("x").Rechunk([100, 50]).MapBlocks(
            (ReadOnlySpan<double> input, Span<double> output, ChunkInfo info) =>
            {
                Thread.Sleep(delay);
                input.CopyTo(output);
                Interlocked.Increment(ref _kernelRuns);
                KernelRan?.Invoke();
            });
    }
}
