using System.Diagnostics;
using System.Globalization;
using ChunkCompute.Cluster.Orleans;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

// OrleansBench worker PORT [JOIN]                 a worker silo with the bench jobs (2 tasks, 256 MiB)
// OrleansBench run DIR TINY_CHUNKS ROWS CHUNK     creates the data in DIR, starts two workers of this program on
//                                                 127.0.0.1, and prints one markdown row per case: in-process vs the
//                                                 two workers (per-task overhead for the tiny tasks).
var culture = CultureInfo.InvariantCulture;
ClusterJobs.Register("bench-tiny", c => [c.OpenStore(c.Arguments[0]).Open<double>("tiny").Sum().Node]);
ClusterJobs.Register("bench-mean", c => [c.OpenStore(c.Arguments[0]).Open<double>("a").Mean().Node]);
ClusterJobs.Register("bench-rechunk", c => [c.OpenStore(c.Arguments[0]).Open<double>("a").Rechunk([int.Parse(c.Arguments[1], culture), 64]).Node]);

if (args[0] == "worker")
{
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.Cancel();
    };
    var options = new ChunkWorkerSiloOptions { Port = int.Parse(args[1], culture), Join = args.Length > 2 ? args[2] : null, MemoryBudget = 256L << 20, Tasks = 2 };
    await ChunkWorkerSilo.RunAsync(options, stop.Token, s => Console.WriteLine("worker listening on " + s.Worker.Name));
    return 0;
}

string dir = args[1];
int tinyChunks = int.Parse(args[2], culture);
int rows = int.Parse(args[3], culture);
int chunk = int.Parse(args[4], culture);
string source = Path.Combine(dir, "src.zarr");
using (var store = ZarrStore.Open(source))
{
    store.CreateArray<double>("tiny", [tinyChunks * 8L], [8]).Write(Enumerable.Range(0, tinyChunks * 8).Select(i => (double)i).ToArray());
    store.CreateArray<double>("a", [rows, rows], [chunk, chunk]).Write(Enumerable.Range(0, rows * rows).Select(i => Math.Sin(i * 1e-3)).ToArray());
}

var self = typeof(Program).Assembly.Location;
var workers = new List<Process>();
try
{
    int basePort = 30000 + (Environment.ProcessId % 2000 * 10);
    foreach (var (port, join) in new[] { (basePort, (string?)null), (basePort + 2, $"127.0.0.1:{basePort}") })
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(self);
        info.ArgumentList.Add("worker");
        info.ArgumentList.Add(port.ToString(culture));
        if (join is not null)
        {
            info.ArgumentList.Add(join);
        }

        var p = Process.Start(info)!;
        workers.Add(p);
        while (p.StandardOutput.ReadLine() is { } line && !line.StartsWith("worker listening", StringComparison.Ordinal))
        {
        }
    }

    await using var cluster = await OrleansWorkers.ConnectAsync([$"127.0.0.1:{basePort}", $"127.0.0.1:{basePort + 2}"]);
    for (int i = 0; i < 50 && cluster.Silos.Count < 2; i++)
    {
        await Task.Delay(200);
        await cluster.RefreshAsync();
    }

    Console.WriteLine($"| case | tasks | in-process s | 2 workers s | per-task overhead ms |");
    Console.WriteLine($"|---|---|---|---|---|");
    Measure("sum of tiny chunks (8 float64 each)", new ClusterJob("bench-tiny", [source]), ctx => ctx.OpenStore(source).Open<double>("tiny").Sum(), null);
    Measure($"mean of a [{rows}, {rows}] in [{chunk}, {chunk}]", new ClusterJob("bench-mean", [source]), ctx => ctx.OpenStore(source).Open<double>("a").Mean(), null);
    Measure($"rechunk a to [{rows}, 64], ToStore", new ClusterJob("bench-rechunk", [source, rows.ToString(culture)]), ctx => ctx.OpenStore(source).Open<double>("a").Rechunk([rows, 64]), Path.Combine(dir, "dst"));

    void Measure(string name, ClusterJob job, Func<ClusterJobContext, ChunkedArray<double>> build, string? target)
    {
        int tasks = 0;
        double Run(ComputeOptions options, int round)
        {
            using var context = ClusterJobs.CreateContext(job);
            var array = build(context);
            var clock = Stopwatch.StartNew();
            if (target is null)
            {
                _ = array.Compute(options);
            }
            else
            {
                using var store = ZarrStore.Open($"{target}-{round}-{(options.Cluster is null ? "local" : "cluster")}.zarr");
                using var write = array.ToStore(store, "y", chunks: [rows, 64]);
                var s = write.Compute(options);
                tasks = s.Workers.Sum(w => w.Tasks);
            }

            return clock.Elapsed.TotalSeconds;
        }

        var local = new ComputeOptions { MaxDegreeOfParallelism = 4 };
        var remote = new ComputeOptions { Cluster = new ClusterOptions(cluster, job) };
        Run(local, 0); // warm-up
        Run(remote, 0);
        double l = Enumerable.Range(1, 3).Select(r => Run(local, r)).Min();
        double c = Enumerable.Range(1, 3).Select(r => Run(remote, r)).Min();
        if (target is null)
        {
            using var context = ClusterJobs.CreateContext(job);
            var r = build(context).Compute(remote);
            tasks = r.Statistics.Workers.Sum(w => w.Tasks);
        }

        Console.WriteLine(string.Create(culture, $"| {name} | {tasks} | {l:F3} | {c:F3} | {(c - l) * 1000 / Math.Max(1, tasks):F2} |"));
    }
}
finally
{
    foreach (var p in workers)
    {
        p.Kill();
        p.WaitForExit();
    }
}

return 0;
