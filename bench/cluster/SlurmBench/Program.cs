using System.Diagnostics;
using System.Globalization;
using ChunkCompute.Cluster.Slurm;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

// SlurmBench measure WORK N...   for each N: the sum of a float64 array of N chunks of 1000 values (8 KB each, tiny on
//                                 purpose: the figure is the transport's overhead, not compute) in process, on two
//                                 LocalWorkers and as Slurm job arrays; one line per N.
// SlurmBench run-task DIR         an array task (SlurmWorkers' WorkerCommand is this program).
ClusterJobs.Register("bench-sum", c => [c.OpenStore(c.Arguments[0]).Open<double>("x").Sum().Node]);
var culture = CultureInfo.InvariantCulture;
if (args.Length >= 2 && args[0] == "run-task")
{
    int? index = SlurmTaskRunner.ResolveIndex(null);
    return index is null ? 2 : await SlurmTaskRunner.RunAsync(args[1], index.Value, Console.Error);
}

if (args.Length < 3 || args[0] != "measure")
{
    Console.Error.WriteLine("usage: SlurmBench measure WORK N... | SlurmBench run-task DIR");
    return 2;
}

string work = Path.GetFullPath(args[1]);
Directory.CreateDirectory(work);
string self = Path.Combine(AppContext.BaseDirectory, "SlurmBench.dll");
var environment = new Dictionary<string, string>();
if (Environment.GetEnvironmentVariable("SLURM_CONF") is { } conf)
{
    environment["SLURM_CONF"] = conf;
}

Console.WriteLine("tasks | in process ms | 2 LocalWorkers ms | Slurm arrays ms | arrays | Slurm overhead per task ms");
foreach (var n in args.Skip(2).Select(a => int.Parse(a, culture)))
{
    string store = Path.Combine(work, string.Create(culture, $"x{n}.zarr"));
    if (!Directory.Exists(store))
    {
        using var s = ZarrStore.Open(store);
        s.CreateArray<double>("x", [n * 1000L], [1000]).Write(Enumerable.Range(0, n * 1000).Select(i => (double)(i % 1000)).ToArray());
    }

    var job = new ClusterJob("bench-sum", [store]);
    using var context = ClusterJobs.CreateContext(job);
    var sum = ClusterJobs.Build(job, context)[0];
    double expected = n * 499_500.0;

    double Time(ComputeOptions? options)
    {
        var clock = Stopwatch.StartNew();
        var result = (ComputedArray<double>)Computation.Compute([sum], options)[0];
        if (result.Value != expected)
        {
            throw new InvalidOperationException($"sum {result.Value}, expected {expected}");
        }

        return clock.Elapsed.TotalMilliseconds;
    }

    Time(null); // warm-up
    double inProcess = Time(null);
    double local;
    using (var locals = new LocalWorkers(2, 256L << 20))
    {
        local = Time(new ComputeOptions { Cluster = new ClusterOptions(locals, job) });
    }

    using var slurm = new SlurmWorkers(new SlurmWorkersOptions(Path.Combine(work, "arrays"))
    {
        WorkerCommand = ["dotnet", self],
        MemoryBudget = 256L << 20,
        PollInterval = TimeSpan.FromMilliseconds(100),
        Environment = environment,
    });
    double onSlurm = Time(new ComputeOptions { Cluster = new ClusterOptions(slurm, job) });
    Console.WriteLine(string.Create(culture, $"{n} | {inProcess:0.0} | {local:0.0} | {onSlurm:0} | {slurm.ArraysSubmitted} | {(onSlurm - inProcess) / n:0.0}"));
}

return 0;
