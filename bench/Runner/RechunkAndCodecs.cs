using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Codecs;
using NpyFile = ChunkCompute.Storage.Npy.Npy;

namespace ChunkCompute.Bench;

/// <summary>The rechunk_2d, codec_* and npy_* cases.</summary>
internal static partial class Program
{
    /// <summary>
    /// rechunk_2d: <c>store.Open&lt;float&gt;(array).Rechunk([rows, cols]).ToStore(out, "rechunked", Blosc-LZ4 v2)
    /// .Compute(budget)</c> into a fresh store under <c>--out</c>. Timed: building, planning and the whole write. The
    /// checksum (float64 sum of the written array) is read back afterwards, one column band at a time (untimed, and
    /// bounded so that it does not raise the peak RSS the case measures). The output store is deleted at the end.
    /// </summary>
    private static int Rechunk(Dictionary<string, string> options)
    {
        string store = Require(options, "store");
        string array = Require(options, "array");
        string outDir = Require(options, "out");
        int rows = int.Parse(Require(options, "rows"), CultureInfo.InvariantCulture);
        int cols = int.Parse(Require(options, "cols"), CultureInfo.InvariantCulture);
        long budget = long.Parse(Require(options, "budget"), CultureInfo.InvariantCulture);
        string caseName = options.GetValueOrDefault("case", "rechunk_2d");
        bool directWrites = bool.Parse(options.GetValueOrDefault("direct-writes", "true")); // diagnostic: staged values through the page cache

        if (Directory.Exists(outDir))
        {
            Directory.Delete(outDir, recursive: true);
        }

        using var source = ZarrStore.OpenExisting(store);
        var compute = new ComputeOptions { MemoryBudget = budget };
        var x = source.Open<float>(array);
        ComputeStatistics? stats = null;
        long? refusedNeeding = null;
        double seconds = 0;
        while (stats is null)
        {
            var clock = Stopwatch.StartNew();
            x = source.Open<float>(array);
            try
            {
                using var target = ZarrStore.Open(outDir, new ZarrStoreOptions { DirectWrites = directWrites });
                stats = x.Rechunk([rows, cols])
                    .ToStore(target, "rechunked", new ArrayOptions { Compression = Compression.Default, Format = ZarrFormat.V2 })
                    .Compute(compute);
                seconds = clock.Elapsed.TotalSeconds;
            }
            catch (MemoryPlanRefusedException refused) when (refusedNeeding is null)
            {
                // Neither the in-memory nor the on-disk route fits the whole write under the budget. Report it
                // (refused_budget_needs_bytes) and, so that the case still measures something, run once more with the
                // budget raised to what it asked for (the route is chosen again under it). The refused attempt fails
                // at planning, before any data is read, and is not timed.
                refusedNeeding = refused.RequiredBytes;
                Console.Error.WriteLine($"rechunk: {refused.Message} Retrying with a compute budget of {refused.RequiredBytes} bytes.");
                compute = new ComputeOptions { MemoryBudget = ((refused.RequiredBytes >> 20) + 1) << 20 };
                Directory.Delete(outDir, recursive: true);
            }
        }

        long bytes = x.Length * sizeof(float);
        if (Environment.GetEnvironmentVariable("CC_BENCH_DIAG") == "1")
        {
            // Where the process memory is (bench/PROFILE-rechunk.md): the managed heap (pooled arrays, encoded frames)
            // against the scheduler's native chunk buffers (peak_accounted_bytes).
            var gc = GC.GetGCMemoryInfo(GCKind.Any);
            using var self = Process.GetCurrentProcess();
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"diag: tasks {stats.Elapsed.TotalSeconds:F2} s, publish + commit (fsync) {seconds - stats.Elapsed.TotalSeconds:F2} s; allocated {GC.GetTotalAllocatedBytes() >> 20} MiB managed in total, heap {gc.HeapSizeBytes >> 20} MiB, committed {gc.TotalCommittedBytes >> 20} MiB, gen2 GCs {GC.CollectionCount(2)}, peak working set {self.PeakWorkingSet64 >> 20} MiB, accounted peak {stats.PeakMemoryBytes >> 20} MiB"));
        }


        // checksum, untimed: the written array, read back one stored column band at a time
        double checksum;
        int[] writtenChunks;
        using (var written = ZarrStore.OpenExisting(outDir, new ZarrStoreOptions { ChunkCacheBytes = 0 }))
        {
            var z = written.OpenArray<float>("rechunked");
            writtenChunks = [.. z.ChunkShape];
            long height = z.Shape[0], width = z.Shape[1];
            int band = z.ChunkShape[1];
            var buffer = new float[height * band];
            double sum = 0, compensation = 0;
            for (long c0 = 0; c0 < width; c0 += band)
            {
                long w = Math.Min(band, width - c0);
                var span = buffer.AsSpan(0, checked((int)(height * w)));
                z.Read(new ArraySubset([0, c0], [height, w]), span);
                foreach (float f in span)
                {
                    double v = f, t = sum + v;
                    compensation += Math.Abs(sum) >= Math.Abs(v) ? (sum - t) + v : (v - t) + sum;
                    sum = t;
                }
            }

            checksum = sum + compensation;
        }

        Directory.Delete(outDir, recursive: true);
        Emit(caseName, seconds, bytes, checksum, json =>
        {
            json.WriteNumber("tasks", stats.Tasks);
            json.WriteNumber("budget_bytes", budget);
            json.WriteNumber("peak_accounted_bytes", stats.PeakMemoryBytes);
            json.WriteNumber("projected_peak_bytes", stats.ProjectedPeakBytes);
            json.WriteNumber("compute_budget_bytes", compute.MemoryBudget);
            if (refusedNeeding is long needs)
            {
                json.WriteNumber("refused_budget_needs_bytes", needs);
            }

            json.WriteString("written_chunks", string.Join('x', writtenChunks));
        });
        return 0;
    }

    /// <summary>
    /// codec_*: Blosc compress or decompress of a whole .npy file's data (one buffer; compression runs the blocks on
    /// every core, set DOTNET_PROCESSOR_COUNT=1 for one thread) with <see cref="BloscCodec"/>, typesize 8, byte
    /// shuffle, clevel 5 (lz4 or zstd). Best of <c>--iterations</c>
    /// (default 5) after one warm-up. The checksum is the float64 sum of the values after a round trip (untimed), so
    /// both tools must reproduce the input; <c>compression_ratio</c> is printed too.
    /// </summary>
    private static int Codec(Dictionary<string, string> options)
    {
        string file = Require(options, "npy");
        string op = Require(options, "op");
        string cname = options.GetValueOrDefault("cname", "lz4");
        int clevel = int.Parse(options.GetValueOrDefault("clevel", "5"), CultureInfo.InvariantCulture);
        int iterations = int.Parse(options.GetValueOrDefault("iterations", "5"), CultureInfo.InvariantCulture);
        string caseName = options.GetValueOrDefault("case", "codec");
        if (op is not ("compress" or "decompress"))
        {
            throw new ArgumentException($"--op must be compress or decompress, not '{op}'");
        }

        var (header, data) = NpyFile.Load(file);
        var codec = new BloscCodec(BloscCodec.ParseCompressor(cname), clevel, BloscShuffle.Shuffle, typeSize: 8);
        byte[] encoded = codec.Encode(data); // warm-up of the encoder
        var decoded = GC.AllocateUninitializedArray<byte>(data.Length);
        codec.Decode(encoded, decoded); // warm-up of the decoder
        double best = double.MaxValue;
        for (int i = 0; i < iterations; i++)
        {
            var clock = Stopwatch.StartNew();
            if (op == "compress")
            {
                encoded = codec.Encode(data);
            }
            else
            {
                codec.Decode(encoded, decoded);
            }

            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }

        codec.Decode(encoded, decoded);
        if (options.TryGetValue("save", out string? save))
        {
            File.WriteAllBytes(save, encoded); // the frame, to compare with c-blosc's (bench/PROFILE-codec.md)
        }

        double checksum = header.Descr.Contains('f', StringComparison.Ordinal)
            ? Checksum(MemoryMarshal.Cast<byte, double>(decoded))
            : Checksum([.. MemoryMarshal.Cast<byte, long>(decoded).ToArray().Select(v => (double)v)]);
        Emit(caseName, best, data.Length, checksum, json =>
        {
            json.WriteNumber("compressed_bytes", encoded.Length);
            json.WriteNumber("compression_ratio", (double)data.Length / encoded.Length);
            // The encoder compresses a buffer's blocks on every core (≥ 1 MiB, ≥ 4 blocks); the decoder uses one thread.
            string threads = op == "compress" ? $"blocks on {Environment.ProcessorCount} threads" : "one thread";
            json.WriteString("codec", $"blosc {cname} clevel {clevel} shuffle typesize 8, one buffer, {threads}");
        });
        return 0;
    }

    /// <summary>
    /// npy_save / npy_load: <c>Npy.Save</c> of a float64 array to <c>--scratch</c>, or <c>Npy.Load&lt;double&gt;</c>
    /// of <c>--npy</c>. Best of <c>--iterations</c> (default 3) after one warm-up; the page cache is warm (no fsync,
    /// like np.save). Checksum: the sum of the values saved or loaded.
    /// </summary>
    private static int NpyCase(Dictionary<string, string> options)
    {
        string file = Require(options, "npy");
        string op = Require(options, "op");
        int iterations = int.Parse(options.GetValueOrDefault("iterations", "3"), CultureInfo.InvariantCulture);
        string caseName = options.GetValueOrDefault("case", "npy");
        double[] values = NpyFile.Load<double>(file);
        double best = double.MaxValue;
        if (op == "load")
        {
            for (int i = 0; i <= iterations; i++)
            {
                var clock = Stopwatch.StartNew();
                values = NpyFile.Load<double>(file);
                if (i > 0)
                {
                    best = Math.Min(best, clock.Elapsed.TotalSeconds);
                }
            }
        }
        else if (op == "save")
        {
            string scratch = Require(options, "scratch");
            for (int i = 0; i <= iterations; i++)
            {
                File.Delete(scratch);
                var clock = Stopwatch.StartNew();
                NpyFile.Save<double>(scratch, values, [values.LongLength]);
                if (i > 0)
                {
                    best = Math.Min(best, clock.Elapsed.TotalSeconds);
                }
            }

            File.Delete(scratch);
        }
        else
        {
            throw new ArgumentException($"--op must be save or load, not '{op}'");
        }

        Emit(caseName, best, (long)values.Length * sizeof(double), Checksum(values));
        return 0;
    }
}
