using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using ChunkCompute.Storage;

namespace ChunkCompute.Bench;

/// <summary>
/// Benchmark runner. Each command does one measured operation and prints one JSON line:
/// <c>{"case":…,"tool":"chunkcompute","seconds":…,"bytes":…,"checksum":…}</c>.
/// Only the operation is timed: process start, JIT of the entry point and opening the store are not.
/// </summary>
internal static partial class Program
{
    private static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            return Usage("no command");
        }

        try
        {
            var options = ParseOptions(args.AsSpan(1));
            return args[0] switch
            {
                "read" => Read(options),
                "profile-read" => ProfileRead(options),
                "tasks" => TaskOverhead(options),
                "reduce" => Reduce(options),
                "profile-reduce" => ProfileReduce(options),
                "sum-inmemory" => SumInMemory(options),
                "rechunk" => Rechunk(options),
                "rechunk-plan" => RechunkPlan(options),
                "profile-rechunk" => ProfileRechunk(options),
                "codec" => Codec(options),
                "npy" => NpyCase(options),
                "tsqr" => Tsqr(options),
                "ops" => OpsCase(options),
                "batches" => BatchesCase(options),
                "mlnet-view" => MLNetViewCase(options),
                "append" => AppendCase(options),
                "append-big" => AppendBig(options),
                "commit-latency" => CommitLatency(options),
                "floor" => Floor(options),
                "floor-run" => FloorRun(options),
                "objectstore" => ObjectStoreCase(options),
                "objcommit" => ObjectCommitCase(options),
                "onnx" => OnnxCase(options),
                _ => Usage($"unknown command '{args[0]}'"),
            };
        }
        catch (ArgumentException e)
        {
            return Usage(e.Message);
        }
    }

    /// <summary>
    /// Per-task scheduling overhead: an in-memory array of <c>--count</c> one-element chunks, computed end to end
    /// (lowering, planning, execution, result assembly). Prints seconds and microseconds per task.
    /// </summary>
    private static int TaskOverhead(Dictionary<string, string> options)
    {
        long count = long.Parse(options.GetValueOrDefault("count", "1000000"), System.Globalization.CultureInfo.InvariantCulture);
        var data = new double[count];
        for (long i = 0; i < count; i++)
        {
            data[i] = i;
        }

        var array = ChunkCompute.Graph.ChunkedArray.FromArray(data, 1);
        var clock = Stopwatch.StartNew();
        var result = ChunkCompute.Scheduler.Computation.Compute(array);
        double seconds = clock.Elapsed.TotalSeconds;
        double[] values = result.ToArray();
        for (long i = 0; i < count; i++)
        {
            if (values[i] != i)
            {
                throw new InvalidOperationException($"tasks: element {i} is {values[i]}, expected {i}");
            }
        }

        // bytes and checksum describe this run only: the peer runs fewer tasks, so the harness compares µs per task
        long tasks = result.Statistics.Tasks;
        Emit(options.GetValueOrDefault("case", "tasks"), seconds, count * sizeof(double), Checksum(values), json =>
        {
            json.WriteNumber("tasks", tasks);
            json.WriteNumber("us_per_task", seconds * 1e6 / tasks);
        });
        return 0;
    }

    /// <summary>Reads a whole float64 array into memory with <c>ZarrArray&lt;double&gt;.Read()</c>.</summary>
    private static int Read(Dictionary<string, string> options)
    {
        string store = Require(options, "store");
        string array = Require(options, "array");
        string caseName = options.GetValueOrDefault("case", "read");

        using var zarr = ZarrStore.OpenExisting(store);
        var z = zarr.OpenArray<double>(array);

        // --destination hugepage is an experiment, not the case: the array is allocated pinned and advised to use
        // transparent huge pages (as numpy does), then filled with Read(region, span). It measures a proposed fix.
        string destination = options.GetValueOrDefault("destination", "new");
        var stopwatch = Stopwatch.StartNew();
        double[] values;
        switch (destination)
        {
            case "new":
                values = z.Read();
                break;
            case "hugepage":
                values = GC.AllocateUninitializedArray<double>(checked((int)z.Shape.Aggregate(1L, (a, b) => a * b)), pinned: true);
                AdviseHugePages(values);
                z.Read(ArraySubset.All(z.Shape), values);
                break;
            default:
                throw new ArgumentException($"--destination must be new or hugepage, not '{destination}'");
        }

        stopwatch.Stop();

        Emit(caseName, stopwatch.Elapsed.TotalSeconds, (long)values.Length * sizeof(double), Checksum(values));
        return 0;
    }

    /// <summary>
    /// Diagnostic, not a benchmark case: where the time of <see cref="Read"/> goes. Each phase runs alone, on one
    /// thread unless named parallel, best of <c>--iterations</c> (default 3); the chunk cache is off. Prints one
    /// JSON object of seconds per phase.
    /// </summary>
    private static int ProfileRead(Dictionary<string, string> options)
    {
        string store = Require(options, "store");
        string array = Require(options, "array");
        int iterations = int.Parse(options.GetValueOrDefault("iterations", "3"), CultureInfo.InvariantCulture);

        using var zarr = ZarrStore.OpenExisting(store, new ZarrStoreOptions { ChunkCacheBytes = 0 });
        var z = zarr.OpenArray<double>(array);
        long n = z.Shape.Aggregate(1L, (a, b) => a * b);
        int chunkElements = z.ChunkShape.Aggregate(1, (a, b) => a * b);
        int[] chunkShape = [.. z.ChunkShape];
        int chunks = checked((int)((n + chunkElements - 1) / chunkElements));
        string[] keys = [.. Enumerable.Range(0, chunks).Select(c => z.Untyped.ChunkKey([c]))];
        var decoded = new byte[chunkElements * sizeof(double)];
        var results = new Dictionary<string, double>(StringComparer.Ordinal);

        void Phase(string name, Action body)
        {
            double best = double.MaxValue;
            for (int i = 0; i < iterations; i++)
            {
                var sw = Stopwatch.StartNew();
                body();
                best = Math.Min(best, sw.Elapsed.TotalSeconds);
            }

            results[name] = best;
        }

        long storedBytes = 0;
        Phase("store_get_all_chunks", () =>
        {
            storedBytes = 0;
            foreach (string key in keys)
            {
                using var owner = zarr.Store.GetPooled(key) ?? throw new InvalidOperationException($"missing chunk {key}");
                storedBytes += owner.Memory.Length;
            }
        });
        Phase("store_get_and_decode_into_reused_buffer", () =>
        {
            foreach (string key in keys)
            {
                using var owner = zarr.Store.GetPooled(key)!;
                z.Metadata.Codecs.Decode(owner.Memory.Span, chunkShape, decoded);
            }
        });
        Phase("allocate_and_first_touch_destination", () =>
        {
            var fresh = new double[n];
            for (long i = 0; i < n; i += 512)
            {
                fresh[i] = 1; // one write per 4 KiB page: the page faults Read() pays on a new array
            }

            GC.KeepAlive(fresh);
        });
        Phase("allocate_uninitialized_and_first_touch_destination", () =>
        {
            var fresh = GC.AllocateUninitializedArray<double>(checked((int)n));
            for (long i = 0; i < n; i += 512)
            {
                fresh[i] = 1;
            }

            GC.KeepAlive(fresh);
        });
        var touched = new double[n];
        Array.Fill(touched, 1.0);
        var all = ArraySubset.All(z.Shape);
        Phase("read_parallel_into_pretouched_destination", () => z.Read(all, touched));
        Phase("read_parallel_new_array", () => GC.KeepAlive(z.Read()));
        Phase("read_parallel_new_uninitialized_array", () =>
        {
            // what Read() would cost if it allocated its result with GC.AllocateUninitializedArray (every element is written)
            var fresh = GC.AllocateUninitializedArray<double>(checked((int)n));
            z.Read(all, fresh);
            GC.KeepAlive(fresh);
        });
        Phase("read_parallel_new_pinned_array_madvise_hugepage", () =>
        {
            // what numpy does for large arrays: ask for transparent huge pages before the first touch
            var fresh = GC.AllocateUninitializedArray<double>(checked((int)n), pinned: true);
            AdviseHugePages(fresh);
            z.Read(all, fresh);
            GC.KeepAlive(fresh);
        });

        using var stdout = Console.OpenStandardOutput();
        using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("chunks", chunks);
            json.WriteNumber("logical_bytes", n * sizeof(double));
            json.WriteNumber("stored_bytes", storedBytes);
            json.WriteNumber("max_concurrency", zarr.Options.MaxConcurrency);
            foreach (var (name, seconds) in results)
            {
                json.WriteNumber(name, Math.Round(seconds, 4));
            }

            json.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
        return 0;
    }

    /// <summary>madvise(MADV_HUGEPAGE) over the 2 MiB-aligned interior of a pinned array (Linux; elsewhere a no-op).</summary>
    private static unsafe void AdviseHugePages(double[] pinned)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        const long HugePage = 2 << 20;
        const int MadvHugePage = 14;
        fixed (double* p = pinned)
        {
            long start = ((long)p + HugePage - 1) & ~(HugePage - 1);
            long end = ((long)p + ((long)pinned.Length * sizeof(double))) & ~(HugePage - 1);
            if (end > start)
            {
                _ = Madvise((nint)start, (nuint)(end - start), MadvHugePage);
            }
        }
    }

    [DllImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static extern int Madvise(nint address, nuint length, int advice);

    /// <summary>Neumaier-compensated sum, so it agrees with NumPy's pairwise sum far below the 1e-6 the harness checks.</summary>
    private static double Checksum(ReadOnlySpan<double> values)
    {
        double sum = 0, compensation = 0;
        foreach (double v in values)
        {
            double t = sum + v;
            compensation += Math.Abs(sum) >= Math.Abs(v) ? (sum - t) + v : (v - t) + sum;
            sum = t;
        }

        return sum + compensation;
    }

    private static void Emit(string caseName, double seconds, long bytes, double checksum, Action<Utf8JsonWriter>? extra = null, string tool = "chunkcompute")
    {
        using var stdout = Console.OpenStandardOutput();
        using (var json = new Utf8JsonWriter(stdout))
        {
            json.WriteStartObject();
            json.WriteString("case", caseName);
            json.WriteString("tool", tool);
            json.WriteNumber("seconds", seconds);
            json.WriteNumber("bytes", bytes);
            json.WriteNumber("checksum", checksum);
            extra?.Invoke(json);
            json.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
    }

    private static Dictionary<string, string> ParseOptions(ReadOnlySpan<string> args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected '--name value', got '{arg}'");
            }

            options[arg[2..]] = args[++i];
        }

        return options;
    }

    private static string Require(Dictionary<string, string> options, string name) =>
        options.TryGetValue(name, out string? value) ? value : throw new ArgumentException($"--{name} is required");

    private static int Usage(string error)
    {
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ChunkCompute.Bench: {error}"));
        Console.Error.WriteLine("usage: ChunkCompute.Bench read|profile-read --store DIR --array PATH [--case NAME] [--destination new|hugepage] [--iterations N]");
        Console.Error.WriteLine("       ChunkCompute.Bench reduce|profile-reduce --store DIR --array PATH --op mean|sum|std|chain_std [--axis N] [--budget BYTES] [--case NAME] [--warm N] [--iterations N]");
        Console.Error.WriteLine("       ChunkCompute.Bench ops --store DIR --array PATH --op cumsum|quantile|moving_mean|select [--axis 0] [--window 9] [--threshold -1.2816] [--budget BYTES] [--case NAME]");
        Console.Error.WriteLine("       ChunkCompute.Bench mlnet-view [--store DIR --array PATH | --rows N] [--batch 1024] [--budget BYTES] [--report view|batches] [--iterations N] [--case NAME]");
        Console.Error.WriteLine("       ChunkCompute.Bench sum-inmemory --mib 512 [--chunk-mib 8] [--report chunkcompute|tensorprimitives] [--iterations N] [--case NAME]");
        Console.Error.WriteLine("       ChunkCompute.Bench tasks [--count N] [--case NAME]");
        Console.Error.WriteLine("       ChunkCompute.Bench rechunk --store DIR --array PATH --out DIR --rows N --cols N --budget BYTES [--direct-writes false] [--case NAME]");
        Console.Error.WriteLine("       ChunkCompute.Bench rechunk-plan --store DIR --array PATH --rows N --cols N --budget BYTES [--show N]");
        Console.Error.WriteLine("       ChunkCompute.Bench profile-rechunk --store DIR --array PATH --out DIR --cols N");
        Console.Error.WriteLine("       ChunkCompute.Bench codec --npy FILE --op compress|decompress [--cname lz4|zstd] [--clevel 5] [--iterations N] [--case NAME] [--save FRAME]");
        Console.Error.WriteLine("       ChunkCompute.Bench npy --npy FILE --op save|load [--scratch FILE] [--iterations N] [--case NAME]");
        Console.Error.WriteLine("       ChunkCompute.Bench tsqr --store DIR --array PATH [--budget BYTES] [--case NAME] [--warm N]");
        Console.Error.WriteLine("       ChunkCompute.Bench batches --store DIR --array PATH [--batch 1024] [--prefetch 2] [--case NAME] [--warm N]");
        Console.Error.WriteLine("       ChunkCompute.Bench append --step NPY --out DIR --chunk N --steps N [--transactional true|false] [--durable false] [--direct-writes false] [--case NAME]");
        Console.Error.WriteLine("       ChunkCompute.Bench append-big --step NPY --out DIR --steps N --base-small DIR --base-large DIR [--case NAME]");
        Console.Error.WriteLine("       ChunkCompute.Bench commit-latency --step NPY --out DIR --commits N [--elements N] [--durable false] [--case NAME]");
        Console.Error.WriteLine("       ChunkCompute.Bench objectstore --mode setup|raw|raw_plain|read|read_array|read_into|mean --url s3://B/P|az://C/P|DIR [--array PATH] [--inflight 64] [--part-bytes 8388608] [--case NAME]   # bench/objectstores");
        Console.Error.WriteLine("       ChunkCompute.Bench onnx --model FILE.onnx [--mode chunked|whole] [--input X] [--output Y] [--rows 4000000] [--features 16] [--chunk 100000] [--batch 8192] [--budget BYTES] [--case NAME]");
        Console.Error.WriteLine("       ChunkCompute.Bench floor --store DIR --array PATH [--threads N] [--iterations K] [--reads blocks|whole]   # page-cache copy + LZ4 CPU time alone");
        Console.Error.WriteLine("       ChunkCompute.Bench floor-run --store DIR --array PATH --case NAME [--reads blocks|whole] [--decode pieces|whole] [--threads N]   # a case's floor: page-cache copy + decode, timed");
        return 2;
    }
}
