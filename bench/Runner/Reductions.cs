using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using System.Text.Json;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

namespace ChunkCompute.Bench;

/// <summary>The reduction cases (reduce, sum-inmemory) and their profile (profile-reduce).</summary>
internal static partial class Program
{
    /// <summary>
    /// Reduces a stored float64 or float32 array with the engine: <c>store.Open&lt;T&gt;(array).Op(axis).Compute()</c>.
    /// Timed: building the expression and computing it (opening the store is not). Prints the JSON line with the
    /// checksum = the scalar result or the sum of the result vector, plus the engine's statistics.
    /// </summary>
    private static int Reduce(Dictionary<string, string> options)
    {
        string store = Require(options, "store");
        string array = Require(options, "array");
        string op = Require(options, "op");
        int? axis = options.TryGetValue("axis", out string? a) ? int.Parse(a, CultureInfo.InvariantCulture) : null;
        long budget = long.Parse(options.GetValueOrDefault("budget", ComputeOptions.DefaultMemoryBudget.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        string caseName = options.GetValueOrDefault("case", "reduce");

        // diagnostic, not used by the cases: run the whole reduction this many times, untimed, before the timed run
        // (JIT, thread pool and first memory touches are then paid already: the gap to a cold run is one-time cost)
        int warm = int.Parse(options.GetValueOrDefault("warm", "0"), CultureInfo.InvariantCulture);

        using var zarr = ZarrStore.OpenExisting(store);
        var dataType = zarr.OpenArray(array).DataType;

        // --dashboard: the live dashboard observes every task (served on 127.0.0.1, any free port, started before the
        // clock and stopped after it; no browser attached): the cost of the instrumentation itself (issue 22).
        using var dashboard = options.ContainsKey("dashboard") ? ChunkCompute.Dashboard.ComputeDashboard.StartAsync(0).GetAwaiter().GetResult() : null;
        var compute = new ComputeOptions { MemoryBudget = budget, Observer = dashboard };
        if (dataType == DataType.Of<double>())
        {
            return ReduceTyped<double>(zarr, array, op, axis, compute, caseName, warm);
        }

        if (dataType == DataType.Of<float>())
        {
            return ReduceTyped<float>(zarr, array, op, axis, compute, caseName, warm);
        }

        throw new ArgumentException($"reduce supports float64 and float32 arrays, not {dataType.Name}");
    }

    private static int ReduceTyped<T>(ZarrStore zarr, string array, string op, int? axis, ComputeOptions compute, string caseName, int warm)
        where T : unmanaged, INumber<T>
    {
        for (int i = 0; i < warm; i++)
        {
            _ = Build(zarr.Open<T>(array), op, axis).Compute(compute);
        }

        var clock = Stopwatch.StartNew();
        var x = zarr.Open<T>(array);
        var result = Build(x, op, axis).Compute(compute);
        double seconds = clock.Elapsed.TotalSeconds;
        double[] values = ToDouble(result.ToArray());
        var stats = result.Statistics;
        Emit(caseName, seconds, x.Length * DataType.Of<T>().Size, Checksum(values), json =>
        {
            json.WriteNumber("tasks", stats.Tasks);
            json.WriteNumber("budget_bytes", compute.MemoryBudget);
            json.WriteNumber("peak_accounted_bytes", stats.PeakMemoryBytes);
            json.WriteNumber("projected_peak_bytes", stats.ProjectedPeakBytes);
            json.WriteNumber("result_elements", values.Length);
        });
        return 0;
    }

    /// <summary>The expression of a reduction case over <paramref name="x"/>.</summary>
    private static ChunkedArray<T> Build<T>(ChunkedArray<T> x, string op, int? axis)
        where T : unmanaged, INumber<T>
    {
        return (x, op) switch
        {
            (ChunkedArray<double> d, "mean") => As<T>(d.Mean(axis)),
            (ChunkedArray<double> d, "sum") => As<T>(d.Sum(axis)),
            (ChunkedArray<double> d, "std") => As<T>(d.Std(axis)),
            (ChunkedArray<double> d, "chain_std") => As<T>(((d - 1.0) * 2.0).Std(axis)),
            (ChunkedArray<float> f, "mean") => As<T>(f.Mean(axis)),
            (ChunkedArray<float> f, "sum") => As<T>(f.Sum(axis)),
            (ChunkedArray<float> f, "std") => As<T>(f.Std(axis)),
            (ChunkedArray<float> f, "chain_std") => As<T>(((f - 1f) * 2f).Std(axis)),
            _ => throw new ArgumentException($"--op must be mean, sum, std or chain_std, not '{op}'"),
        };

        static ChunkedArray<TOut> As<TOut>(object value)
            where TOut : unmanaged => (ChunkedArray<TOut>)value;
    }

    private static double[] ToDouble<T>(T[] values)
        where T : unmanaged, INumber<T> => [.. values.Select(double.CreateTruncating)];

    /// <summary>
    /// Sum of an in-memory chunked array (<c>ChunkedArray.FromArray(data, chunk).Sum()</c>) against
    /// <c>TensorPrimitives.Sum</c> over the same contiguous array, in this process: one warm-up of each, then
    /// <c>--iterations</c> (default 5) alternating timed runs of each; best of each. <c>--report</c> picks which one is
    /// this process's <c>seconds</c> (the other is printed too), so the harness can run it as both tool and peer.
    /// </summary>
    private static int SumInMemory(Dictionary<string, string> options)
    {
        int mib = int.Parse(options.GetValueOrDefault("mib", "512"), CultureInfo.InvariantCulture);
        int chunkMib = int.Parse(options.GetValueOrDefault("chunk-mib", "8"), CultureInfo.InvariantCulture);
        int iterations = int.Parse(options.GetValueOrDefault("iterations", "5"), CultureInfo.InvariantCulture);
        string report = options.GetValueOrDefault("report", "chunkcompute");
        string caseName = options.GetValueOrDefault("case", "sum_inmemory");
        if (report is not ("chunkcompute" or "tensorprimitives"))
        {
            throw new ArgumentException($"--report must be chunkcompute or tensorprimitives, not '{report}'");
        }

        int n = checked((int)((long)mib * (1 << 20) / sizeof(double)));
        var data = new double[n];
        for (int k = 0; k < n; k++)
        {
            // multiples of 0.25 with exact partial sums: every summation order gives the same checksum (numpy_sum.py too)
            data[k] = ((((long)k * 7919) % 2001) - 1000) * 0.25;
        }

        var x = ChunkedArray.FromArray(data, chunkMib * (1 << 20) / sizeof(double));
        double engineSum = x.Sum().ComputeScalar();
        double primitiveSum = TensorPrimitives.Sum<double>(data);
        double engineBest = double.MaxValue, primitiveBest = double.MaxValue;
        long tasks = 0;
        for (int i = 0; i < iterations; i++)
        {
            var clock = Stopwatch.StartNew();
            var r = x.Sum().Compute();
            engineBest = Math.Min(engineBest, clock.Elapsed.TotalSeconds);
            engineSum = r.Value;
            tasks = r.Statistics.Tasks;

            clock.Restart();
            primitiveSum = TensorPrimitives.Sum<double>(data);
            primitiveBest = Math.Min(primitiveBest, clock.Elapsed.TotalSeconds);
        }

        if (engineSum != primitiveSum)
        {
            throw new InvalidOperationException($"sum-inmemory: the engine's sum {engineSum} differs from TensorPrimitives.Sum {primitiveSum}");
        }

        bool engine = report == "chunkcompute";
        Emit(caseName, engine ? engineBest : primitiveBest, (long)n * sizeof(double), engineSum, json =>
        {
            json.WriteString("reported", report);
            json.WriteNumber("chunkcompute_seconds", engineBest);
            json.WriteNumber("tensorprimitives_seconds", primitiveBest);
            json.WriteNumber("chunkcompute_over_tensorprimitives_throughput", primitiveBest / engineBest);
            json.WriteNumber("tasks", tasks);
            json.WriteNumber("chunk_bytes", (long)chunkMib << 20);
        }, tool: engine ? "chunkcompute" : "tensorprimitives");
        return 0;
    }

    /// <summary>
    /// Diagnostic, not a case: where the time of a <c>reduce</c> goes. Each phase runs alone, best of
    /// <c>--iterations</c> (default 3). Phases: the whole reduction from the store (2 threads); the parallel read + decode
    /// of the whole array into a touched buffer (2 threads, no reduction); read + decode chunk by chunk on one thread;
    /// the engine's reduction of the already-decoded array held in memory (copy out of the array + kernel +
    /// scheduling, 2 threads); copying every chunk out of that array on one thread (what the in-memory source does);
    /// the raw kernel (TensorPrimitives sums on one thread); and scheduling alone (the same graph over one-element
    /// chunks).
    /// </summary>
    private static int ProfileReduce(Dictionary<string, string> options)
    {
        string store = Require(options, "store");
        string array = Require(options, "array");
        using var zarr = ZarrStore.OpenExisting(store);
        var dataType = zarr.OpenArray(array).DataType;
        if (dataType == DataType.Of<double>())
        {
            return ProfileTyped<double>(zarr, array, options);
        }

        if (dataType == DataType.Of<float>())
        {
            return ProfileTyped<float>(zarr, array, options);
        }

        throw new ArgumentException($"profile-reduce supports float64 and float32 arrays, not {dataType.Name}");
    }

    private static int ProfileTyped<T>(ZarrStore zarr, string array, Dictionary<string, string> options)
        where T : unmanaged, INumber<T>
    {
        string op = Require(options, "op");
        int? axis = options.TryGetValue("axis", out string? a) ? int.Parse(a, CultureInfo.InvariantCulture) : null;
        int iterations = int.Parse(options.GetValueOrDefault("iterations", "3"), CultureInfo.InvariantCulture);
        var z = zarr.OpenArray<T>(array);
        long[] shape = [.. z.Shape];
        int[] chunks = [.. z.ChunkShape];
        int n = checked((int)z.Untyped.ElementCount);
        long[] grid = z.Untyped.GridShape;
        var results = new Dictionary<string, double>(StringComparer.Ordinal);
        var tasks = new Dictionary<string, long>(StringComparer.Ordinal);

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

        Phase("end_to_end_from_store", () => tasks["end_to_end_from_store"] = Build(zarr.Open<T>(array), op, axis).Compute().Statistics.Tasks);

        var decoded = new T[n];
        Array.Fill(decoded, T.One);
        var all = ArraySubset.All(z.Shape);
        Phase("read_decode_parallel_no_reduction", () => z.Read(all, decoded));

        var chunkBuffer = new T[chunks.Aggregate(1, (p, c) => p * c)];
        var chunkIndices = EnumerateGrid(grid).ToArray();
        Phase("read_decode_1thread_no_reduction", () =>
        {
            foreach (long[] c in chunkIndices)
            {
                z.Untyped.ReadChunk<T>(c, chunkBuffer);
            }
        });

        var inMemory = ChunkedArray.FromArray(decoded, shape, chunks);
        Phase("engine_on_decoded_in_memory", () => tasks["engine_on_decoded_in_memory"] = Build(inMemory, op, axis).Compute().Statistics.Tasks);

        Phase("copy_chunks_out_1thread", () =>
        {
            foreach (long[] c in chunkIndices)
            {
                CopyBox(decoded, shape, chunks, c, chunkBuffer);
            }
        });

        bool squares = op is "std" or "chain_std";
        Phase(squares ? "raw_kernel_sum_and_sumofsquares_1thread" : "raw_kernel_sum_1thread", () =>
        {
            // one pass per chunk-sized block, as a per-chunk kernel would see the data
            double total = 0;
            for (int start = 0; start < n; start += chunkBuffer.Length)
            {
                var block = new ReadOnlySpan<T>(decoded, start, Math.Min(chunkBuffer.Length, n - start));
                total += double.CreateTruncating(TensorPrimitives.Sum(block));
                if (squares)
                {
                    total += double.CreateTruncating(TensorPrimitives.SumOfSquares(block));
                }
            }

            GC.KeepAlive(total);
        });

        // the same graph (same chunk grid, so the same tasks) over one-element chunks: scheduling without data
        var tiny = ChunkedArray.FromArray(new T[grid.Aggregate(1L, (p, g) => p * g)], grid, [.. grid.Select(_ => 1)]);
        Phase("scheduling_same_graph_one_element_chunks", () => tasks["scheduling_same_graph_one_element_chunks"] = Build(tiny, op, axis).Compute().Statistics.Tasks);

        using var stdout = Console.OpenStandardOutput();
        using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("array", array);
            json.WriteString("op", op);
            json.WriteString("axis", axis?.ToString(CultureInfo.InvariantCulture) ?? "all");
            json.WriteNumber("chunks", chunkIndices.Length);
            json.WriteNumber("logical_bytes", (long)n * DataType.Of<T>().Size);
            json.WriteNumber("threads", Environment.ProcessorCount);
            foreach (var (name, seconds) in results)
            {
                json.WriteNumber(name, Math.Round(seconds, 4));
            }

            foreach (var (name, count) in tasks)
            {
                json.WriteNumber("tasks_" + name, count);
            }

            json.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
        return 0;
    }

    private static IEnumerable<long[]> EnumerateGrid(long[] grid)
    {
        var index = new long[grid.Length];
        long total = grid.Aggregate(1L, (p, g) => p * g);
        for (long k = 0; k < total; k++)
        {
            yield return (long[])index.Clone();
            for (int d = grid.Length - 1; d >= 0; d--)
            {
                if (++index[d] < grid[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }
    }

    /// <summary>Copies the box of chunk <paramref name="chunk"/> (1-D or 2-D) out of a C-order array, row by row.</summary>
    private static void CopyBox<T>(T[] source, long[] shape, int[] chunks, long[] chunk, T[] destination)
        where T : unmanaged
    {
        if (shape.Length == 1)
        {
            int start = checked((int)(chunk[0] * chunks[0]));
            int length = Math.Min(chunks[0], source.Length - start);
            source.AsSpan(start, length).CopyTo(destination);
            return;
        }

        long row0 = chunk[0] * chunks[0], col0 = chunk[1] * chunks[1];
        int rows = (int)Math.Min(chunks[0], shape[0] - row0), cols = (int)Math.Min(chunks[1], shape[1] - col0);
        for (int r = 0; r < rows; r++)
        {
            source.AsSpan(checked((int)(((row0 + r) * shape[1]) + col0)), cols).CopyTo(destination.AsSpan(r * cols, cols));
        }
    }
}
