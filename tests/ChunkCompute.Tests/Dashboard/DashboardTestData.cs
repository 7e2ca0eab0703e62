using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

namespace ChunkCompute.Tests.Dashboard;

/// <summary>Arrays and observers the dashboard tests compute with.</summary>
internal static class DashboardTestData
{
    /// <summary>An in-memory store with <paramref name="n"/> doubles in chunks of <paramref name="chunk"/>, and the values.</summary>
    public static (ZarrStore Store, double[] Values) Store(int n, int chunk)
    {
        var store = ZarrStore.InMemory();
        var values = Enumerable.Range(0, n).Select(i => Math.Sin(i * 1e-3) + (i % 7)).ToArray();
        store.CreateArray<double>("x", [n], [chunk]).Write(values);
        return (store, values);
    }

    /// <summary>The mean of x, lazily.</summary>
    public static ChunkedArray<double> Mean(ZarrStore store) => store.Open<double>("x").Mean();

    /// <summary>Operations of the plan of <paramref name="array"/>: what the page's plan must draw one node each for.</summary>
    public static int Operations(ChunkedArray<double> array, ComputeOptions options) =>
        ExecutionPlan.Create([array.Node], options).Order.Select(t => t.Node).Distinct().Count();

    /// <summary>Directory store with x (float64, chunked) for the CLI, and its values.</summary>
    public static double[] DirectoryStore(string path, int n, int chunk)
    {
        using var store = ZarrStore.Open(path);
        var values = Enumerable.Range(0, n).Select(i => Math.Cos(i * 1e-2) * 3 + (i % 5)).ToArray();
        store.CreateArray<double>("x", [n], [chunk]).Write(values);
        return values;
    }
}

/// <summary>
/// Forwards to another observer and, until <see cref="Release"/>, holds each task's worker for <paramref name="pause"/>
/// first: a real computation slowed to a pace a browser can watch (the engine calls observers on its workers, as the
/// dashboard is called), for as long as the checks need, then let go to finish at full speed.
/// </summary>
internal sealed class PacedObserver(IComputeObserver next, TimeSpan pause) : IComputeObserver
{
    private volatile bool _paced = true;

    public void Release() => _paced = false;

    public void RunStarted(ComputeRun run) => next.RunStarted(run);

    public void TaskFinished(ComputeRun run, in ComputeTaskRecord task)
    {
        if (_paced)
        {
            Thread.Sleep(pause);
        }

        next.TaskFinished(run, in task);
    }

    public void RunFinished(ComputeRun run, ComputeStatistics? statistics, Exception? error) => next.RunFinished(run, statistics, error);
}
