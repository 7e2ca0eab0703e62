using System.Globalization;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

// Worker modes (each prints one line per event, flushed, so the parent can follow it):
//   commit-loop STORE           commits generations g = 1, 2, …: a := g, b := -g (whole arrays), log += one row of g;
//                               prints "committed G VERSION" after each commit. Runs until killed.
//   write-loop STORE SECONDS    overwrites chunks of x with generation values and appends to x, printing
//                               "version V SUM S" (the exact sum of x at that committed version) after each commit.
//   increment STORE N          N transactions that each add 1 to counter[0] (conflicts retried).
//   sum-loop STORE SECONDS      opens the store, computes x.Sum() with the engine, prints "version V SUM S"; repeats.
//   run-task DIR               a Slurm array task of the Slurm tests ($SLURM_ARRAY_TASK_ID) with the cluster test jobs
//                               registered; TESTWORKER_FAIL_ONCE_INDEX=N makes index N exit 1 on its first attempt,
//                               TESTWORKER_FAIL_ALWAYS_CHUNK=I,J makes the task of chunk [I, J]
//                               exit 1 on every attempt, TESTWORKER_SLEEP_SECONDS=S sleeps first.
//   orleans-worker PORT [JOIN]  an Orleans worker silo (gateway PORT, silo PORT + 1, joining the worker at JOIN) with
//                               the cluster test jobs registered, 64 MiB and 2 tasks; prints "worker listening on
//                               ADDRESS" once up and "ran" after each run of the slow job's kernel. Runs until killed.
// STORE may be an az:// URL (Azurite in tests; the connection string comes from AZURE_STORAGE_CONNECTION_STRING).
ChunkCompute.Storage.Azure.AzureBlobStore.Register();
var culture = CultureInfo.InvariantCulture;
string mode = args[0];
string path = args[1];
var stdout = Console.Out;

switch (mode)
{
    case "run-task":
    {
        ChunkCompute.Tests.Scheduler.Cluster.ClusterTestJobs.Register();
        int? index = ChunkCompute.Cluster.Slurm.SlurmTaskRunner.ResolveIndex(args.Length > 3 && args[2] == "--index" ? int.Parse(args[3], culture) : null);
        if (index is null)
        {
            Console.Error.WriteLine("run-task: no index");
            return 2;
        }

        if (Environment.GetEnvironmentVariable("TESTWORKER_SLEEP_SECONDS") is { } sleep)
        {
            Thread.Sleep(TimeSpan.FromSeconds(double.Parse(sleep, culture)));
        }

        string failMarker = Path.Combine(path, $"failed-once-{index}");
        string? failChunk = Environment.GetEnvironmentVariable("TESTWORKER_FAIL_ALWAYS_CHUNK");
        if ((failChunk is not null && File.Exists(ChunkCompute.Cluster.Slurm.SlurmTaskRunner.TaskFile(path, index.Value))
                && string.Join(',', RemoteTask.FromBytes(File.ReadAllBytes(ChunkCompute.Cluster.Slurm.SlurmTaskRunner.TaskFile(path, index.Value))).ChunkIndex) == failChunk)
            || (Environment.GetEnvironmentVariable("TESTWORKER_FAIL_ONCE_INDEX") == index.Value.ToString(culture) && !File.Exists(failMarker)))
        {
            File.WriteAllText(failMarker, "failed on purpose\n");
            Console.Error.WriteLine($"test worker: index {index} fails on purpose (exit 1)");
            return 1;
        }

        return await ChunkCompute.Cluster.Slurm.SlurmTaskRunner.RunAsync(path, index.Value, Console.Error);
    }

    case "commit-loop":
    {
        using var store = ZarrStore.OpenExisting(path);
        var a0 = store.OpenArray<long>("a");
        int n = checked((int)a0.Shape[0]);
        long g = store.OpenArray<long>("log").Shape[0];
        while (true)
        {
            g++;
            var fill = new long[n];
            Array.Fill(fill, g);
            var neg = new long[n];
            Array.Fill(neg, -g);
            long gen = g;
            store.Transact(tx =>
            {
                tx.OpenArray<long>("a").Write(fill);
                tx.OpenArray<long>("b").Write(neg);
                var log = tx.OpenArray<long>("log");
                log.Append(Enumerable.Repeat(gen, (int)log.Shape[1]).ToArray());
            });
            stdout.WriteLine(string.Create(culture, $"committed {g} {store.Version}"));
            stdout.Flush();
        }
    }

    case "write-loop":
    {
        var until = DateTime.UtcNow.AddSeconds(double.Parse(args[2], culture));
        using var store = ZarrStore.OpenExisting(path);
        var rng = new Random(42);
        while (DateTime.UtcNow < until)
        {
            store.Transact(tx =>
            {
                var x = tx.OpenArray<double>("x");
                long rows = x.Shape[0];
                long start = rng.NextInt64(0, Math.Max(1, rows - 100));
                var values = Enumerable.Range(0, 100).Select(_ => (double)rng.Next(-1000, 1000)).ToArray();
                x.Write(new ArraySubset([start], [Math.Min(100, rows - start)]), values.AsSpan(0, (int)Math.Min(100, rows - start)));
                x.Append(Enumerable.Range(0, 50).Select(_ => (double)rng.Next(0, 10)).ToArray());
            });
            var now = store.OpenArray<double>("x").Read();
            stdout.WriteLine(string.Create(culture, $"version {store.Version} SUM {now.Sum():R}"));
            stdout.Flush();
        }

        return 0;
    }

    case "sum-loop":
    {
        var until = DateTime.UtcNow.AddSeconds(double.Parse(args[2], culture));
        while (DateTime.UtcNow < until)
        {
            using var store = ZarrStore.OpenExisting(path);
            var x = store.Open<double>("x");
            double sum = x.Sum().ComputeScalar(new ComputeOptions { MaxDegreeOfParallelism = 1 });
            stdout.WriteLine(string.Create(culture, $"version {store.Version} SUM {sum:R}"));
            stdout.Flush();
        }

        return 0;
    }

    case "init-x":
    {
        using var store = ZarrStore.Open(path);
        var values = Enumerable.Range(0, 20_000).Select(i => (double)(i % 97)).ToArray();
        store.CreateArray<double>("x", [values.Length], [100]).Write(values);
        stdout.WriteLine(string.Create(culture, $"version {store.Version} SUM {values.Sum():R}"));
        return 0;
    }

    case "increment":
    {
        int times = int.Parse(args[2], culture);
        using var store = ZarrStore.OpenExisting(path);
        for (int i = 0; i < times; i++)
        {
            store.Transact(
                tx =>
                {
                    var c = tx.OpenArray<long>("counter");
                    c.Write([c.Read()[0] + 1]);
                },
                retries: 10_000);
        }

        stdout.WriteLine("done");
        return 0;
    }

    case "orleans-worker":
    {
        ChunkCompute.Tests.Scheduler.Cluster.OrleansTestJobs.Register();
        ChunkCompute.Tests.Scheduler.Cluster.OrleansTestJobs.KernelRan = () =>
        {
            stdout.WriteLine("ran");
            stdout.Flush();
        };
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        var options = new ChunkCompute.Cluster.Orleans.ChunkWorkerSiloOptions
        {
            Port = int.Parse(path, culture),
            Join = args.Length > 2 ? args[2] : null,
            MemoryBudget = 64L << 20,
            Tasks = 2,
            ProbeTimeout = TimeSpan.FromSeconds(1),
            NumMissedProbesLimit = 2,
        };
        await ChunkCompute.Cluster.Orleans.ChunkWorkerSilo.RunAsync(options, stop.Token, silo =>
        {
            stdout.WriteLine("worker listening on " + silo.Worker.Name);
            stdout.Flush();
        });
        return 0;
    }

    default:
        Console.Error.WriteLine("unknown mode " + mode);
        return 2;
}
