using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

namespace ChunkCompute.Tests.Scheduler.Cluster;

/// <summary>
/// The jobs the cluster tests run, registered by name (as a cluster's coordinator and workers both do), and the stored
/// array they read: x[i, j] = sin(i * 0.37) * 100 + j * 0.25 - (i % 7), float64 [600, 400] in [100, 100] chunks.
/// </summary>
internal static class ClusterTestJobs
{
    public const int Rows = 600;
    public const int Cols = 400;

    static ClusterTestJobs()
    {
        ClusterJobs.Register("test-stats", c => Stats(c).Select(a => a.Node).ToArray());
        ClusterJobs.Register("test-rechunk", c => [Rechunked(c).Node]);
        ClusterJobs.Register("test-flaky", c => [Flaky(c).Node]);
    }

    /// <summary>Tasks of "test-flaky" still to fail with an IOException (a transient error inside a worker's kernel).</summary>
    public static int FlakyFailuresLeft;

    /// <summary>Makes sure the jobs are registered in this process.</summary>
    public static void Register()
    {
    }

    public static double Value(long i, long j) => (Math.Sin(i * 0.37) * 100) + (j * 0.25) - (i % 7);

    public static double[] Values() => Enumerable.Range(0, Rows * Cols).Select(k => Value(k / Cols, k % Cols)).ToArray();

    /// <summary>Creates the stored array in a new directory store at <paramref name="directory"/>.</summary>
    public static void CreateSource(string directory)
    {
        using var store = ZarrStore.Open(directory);
        store.CreateArray<double>("x", [Rows, Cols], [100, 100]).Write(Values());
    }

    /// <summary>The mean of x, and its standard deviation over axis 0.</summary>
    public static ChunkedArray<double>[] Stats(ClusterJobContext context)
    {
        var x = context.OpenStore(context.Arguments[0]).Open<double>("x");
        return [x.Mean(), x.Std(axis: 0)];
    }

    /// <summary>The sum of x, whose per-chunk kernel throws an IOException while <see cref="FlakyFailuresLeft"/> is positive.</summary>
    public static ChunkedArray<double> Flaky(ClusterJobContext context) =>
        context.OpenStore(context.Arguments[0]).Open<double>("x").MapBlocks<double, double>((input, output, _) =>
        {
            if (Interlocked.Decrement(ref FlakyFailuresLeft) >= 0)
            {
                throw new IOException("disk hiccup");
            }

            input.CopyTo(output);
        }).Sum();

    /// <summary>x in [300, 50] chunks.</summary>
    public static ChunkedArray<double> Rechunked(ClusterJobContext context) =>
        context.OpenStore(context.Arguments[0]).Open<double>("x").Rechunk([300, 50]);
}
