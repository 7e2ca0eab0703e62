using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Arrays;
using ChunkCompute.Storage.Codecs;
using Microsoft.Win32.SafeHandles;

namespace ChunkCompute.Bench;

/// <summary>Diagnostics for rechunk_2d: the plan (rechunk-plan) and a per-phase time split (profile-rechunk).</summary>
internal static partial class Program
{
    /// <summary>
    /// rechunk-plan: what the scheduler would run for rechunk_2d, without reading data. Prints the rechunk planner's
    /// plan, the simulated peak of the direct in-memory plan (with the store-write sink) under both candidate orders
    /// (<see cref="TaskSchedule.SweepOrder"/>, <see cref="TaskSchedule.DepthFirstOrder"/>), the first tasks of each,
    /// and <c>Explain()</c> of the plan (and the route) the scheduler chooses under the budget.
    /// </summary>
    private static int RechunkPlan(Dictionary<string, string> options)
    {
        string store = Require(options, "store");
        string array = Require(options, "array");
        int rows = int.Parse(Require(options, "rows"), CultureInfo.InvariantCulture);
        int cols = int.Parse(Require(options, "cols"), CultureInfo.InvariantCulture);
        long budget = long.Parse(Require(options, "budget"), CultureInfo.InvariantCulture);
        int show = int.Parse(options.GetValueOrDefault("show", "24"), CultureInfo.InvariantCulture);
        string scratch = Path.Combine(Path.GetTempPath(), "cc-rechunk-plan-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));

        using var source = ZarrStore.OpenExisting(store);
        var x = source.Open<float>(array);
        var target = RechunkPlanner.TargetGrid(x.Shape, [rows, cols]);
        var plan = RechunkPlanner.Plan(x.Chunks, target, sizeof(float), budget);
        Console.WriteLine($"source {x.Chunks}, target {target}, budget {Mib(budget)}");
        Console.WriteLine($"planner: {plan}; minimum live {Mib(plan.MinimumLiveBytes)}");
        try
        {
            using var t = ZarrStore.Open(scratch);

            // The direct in-memory plan (planned under a budget it fits, so no spill) written by the sink.
            using var direct = x.Rechunk([rows, cols])
                .ToStore(t, "rechunked", new ArrayOptions { Compression = Compression.Default, Format = ZarrFormat.V2 });
            var graph = ExecutionPlan.Create([direct.Node], new ComputeOptions { MemoryBudget = long.MaxValue / 4 }).Graph;
            foreach (var (name, order) in new[] { ("sweep", TaskSchedule.SweepOrder(graph)), ("depth-first", TaskSchedule.DepthFirstOrder(graph)) })
            {
                var (peak, at) = TaskSchedule.SimulatePeak(order);
                Console.WriteLine($"direct plan, {name} order: {order.Length} tasks, simulated peak {Mib(peak)} at {at}");
                Console.WriteLine("  first tasks: " + string.Join(" ", order.Take(show).Select(Short)));
            }

            var chosen = TaskSchedule.Order(graph);
            Console.WriteLine($"chosen: {(chosen.SequenceEqual(TaskSchedule.DepthFirstOrder(graph)) ? "depth-first" : "sweep")}, simulated peak {Mib(TaskSchedule.SimulatePeak(chosen).PeakBytes)}");

            // What the benchmark runs: Rechunk under the case's budget (in memory or spilled), explained.
            using var actual = x.Rechunk([rows, cols])
                .ToStore(t, "rechunked2", new ArrayOptions { Compression = Compression.Default, Format = ZarrFormat.V2 });
            try
            {
                Console.Write(ExecutionPlan.Create([actual.Node], new ComputeOptions { MemoryBudget = budget }).Explain());
            }
            catch (MemoryPlanRefusedException refused)
            {
                Console.WriteLine("refused: " + refused.Message);
            }
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }

        return 0;

        static string Short(ChunkTask t) => t.Node.Label.Split(' ')[0] + "[" + string.Join(",", t.ChunkIndex) + "]";
    }

    /// <summary>
    /// profile-rechunk: the work of rechunk_2d split into phases, each timed alone on one thread (except the Blosc
    /// encode, which compresses a chunk's blocks on every core as in the real run): reading the 32 stored chunk files,
    /// read + decode, the copy of source chunks into bands, the Blosc-LZ4 encode of the bands, writing the frames to
    /// new files (page cache), and fsync of those files. Prints one line per phase with seconds and GB/s of the
    /// array's bytes.
    /// </summary>
    private static unsafe int ProfileRechunk(Dictionary<string, string> options)
    {
        string store = Require(options, "store");
        string array = Require(options, "array");
        string outDir = Require(options, "out");
        int cols = int.Parse(Require(options, "cols"), CultureInfo.InvariantCulture);
        using var zarr = ZarrStore.OpenExisting(store, new ZarrStoreOptions { ChunkCacheBytes = 0 });
        var z = zarr.OpenArray<float>(array);
        long height = z.Shape[0], width = z.Shape[1];
        int ch = z.ChunkShape[0], cw = z.ChunkShape[1];
        if (height % ch != 0 || width % cw != 0 || cw % cols != 0)
        {
            throw new ArgumentException("profile-rechunk needs whole chunks and bands that divide a chunk");
        }

        int gridRows = (int)(height / ch), gridCols = (int)(width / cw), bandsPerChunk = cw / cols;
        long chunkBytes = (long)ch * cw * sizeof(float);
        long total = height * width * sizeof(float);
        var results = new List<(string Phase, double Seconds)>();
        void Report(string phase, double seconds)
        {
            results.Add((phase, seconds));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{phase,-58} {seconds,7:F3} s {total / seconds / 1e9,6:F2} GB/s"));
        }

        // 1. the stored chunk files, read into one reused buffer
        var file = GC.AllocateUninitializedArray<byte>(checked((int)chunkBytes + 4096));
        string root = Path.Combine(store, array);
        var clock = Stopwatch.StartNew();
        long fileBytes = 0;
        for (int r = 0; r < gridRows; r++)
        {
            for (int c = 0; c < gridCols; c++)
            {
                using var h = File.OpenHandle(Path.Combine(root, $"{r}.{c}"), FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
                long n = RandomAccess.GetLength(h);
                fileBytes += RandomAccess.Read(h, file.AsSpan(0, (int)n), 0);
            }
        }

        Report($"read {gridRows * gridCols} chunk files ({fileBytes >> 20} MiB)", clock.Elapsed.TotalSeconds);

        // 2. read + Blosc decode of every chunk into a reused chunk buffer (ReadChunk, no cache)
        var decoded = GC.AllocateUninitializedArray<float>(ch * cw, pinned: true);
        clock.Restart();
        for (int r = 0; r < gridRows; r++)
        {
            for (int c = 0; c < gridCols; c++)
            {
                z.Untyped.ReadChunk<float>([r, c], decoded);
            }
        }

        Report("read + decode (ReadChunk)", clock.Elapsed.TotalSeconds);

        // 3-4. one chunk column in memory, copied into bands (NdCopy, as RechunkNode) and each band encoded
        var column = Enumerable.Range(0, gridRows).Select(_ => GC.AllocateUninitializedArray<float>(ch * cw, pinned: true)).ToArray();
        for (int r = 0; r < gridRows; r++)
        {
            z.Untyped.ReadChunk<float>([r, 0], column[r]);
        }

        var band = GC.AllocateUninitializedArray<float>(checked((int)(height * cols)), pinned: true);
        var codec = new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.Shuffle, sizeof(float));
        var frames = new List<byte[]>();
        double copy = 0, encode = 0;
        long[] chunkShape = [ch, cw], bandShape = [height, cols], extent = [ch, cols];
        for (int c = 0; c < gridCols; c++)
        {
            for (int b = 0; b < bandsPerChunk; b++)
            {
                clock.Restart();
                fixed (float* dst = band)
                {
                    for (int r = 0; r < gridRows; r++)
                    {
                        fixed (float* src = column[r])
                        {
                            NdCopy.Copy((byte*)src, chunkShape, [0, (long)b * cols], (byte*)dst, bandShape, [(long)r * ch, 0], extent, sizeof(float));
                        }
                    }
                }

                copy += clock.Elapsed.TotalSeconds;
                clock.Restart();
                var frame = codec.Encode(MemoryMarshal.AsBytes(band.AsSpan()));
                encode += clock.Elapsed.TotalSeconds;
                frames.Add(frame);
            }
        }

        Report("copy chunks into bands (NdCopy)", copy);
        Report($"Blosc-LZ4 encode of {frames.Count} bands (parallel blocks)", encode);
        column = null;

        // 5-6. the frames written as new files (page cache), then flushed
        string scratch = Path.Combine(outDir, "profile-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(scratch);
        try
        {
            var handles = new List<SafeFileHandle>();
            clock.Restart();
            for (int i = 0; i < frames.Count; i++)
            {
                var h = File.OpenHandle(Path.Combine(scratch, i.ToString(CultureInfo.InvariantCulture)), FileMode.CreateNew, FileAccess.Write);
                RandomAccess.Write(h, frames[i], 0);
                handles.Add(h);
            }

            Report($"write {frames.Count} frames ({frames.Sum(f => (long)f.Length) >> 20} MiB) to new files", clock.Elapsed.TotalSeconds);
            clock.Restart();
            foreach (var h in handles)
            {
                RandomAccess.FlushToDisk(h);
                h.Dispose();
            }

            Report("fsync of those files (one at a time)", clock.Elapsed.TotalSeconds);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"sum of phases",-58} {results.Sum(r => r.Seconds),7:F3} s"));
        return 0;
    }

    private static string Mib(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("F1", CultureInfo.InvariantCulture) + " MiB";
}
