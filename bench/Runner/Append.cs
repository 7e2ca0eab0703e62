using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Codecs;
using NpyFile = ChunkCompute.Storage.Npy.Npy;

namespace ChunkCompute.Bench;

/// <summary>The append cases (<c>append</c>, <c>append_big</c>) and <c>commit_latency</c>; peer: bench/peers/zarr_append.py.</summary>
internal static partial class Program
{
    private static readonly ArrayOptions AppendArrayOptions = new()
    {
        Format = ZarrFormat.V2,
        Compression = Compression.Blosc("lz4", 5, BloscShuffle.Shuffle),
    };

    /// <summary>
    /// append: a new 1-D float64 array (Zarr v2, Blosc-LZ4 shuffle, chunks of <c>--chunk</c>) in a transactional
    /// store at <c>--out</c>, then <c>--steps</c> appends, each <c>ZarrArray.Append</c> outside a transaction (one
    /// commit): step k appends the block in <c>--step</c> (.npy) + k. Timed: the appends only. Checksum: the sum of the
    /// whole array read back by a new handle. Diagnostics: <c>--transactional false</c> appends in place, without commits; <c>--durable false</c> commits without flushing to disk; <c>--direct-writes false</c> stages every value through the page cache.
    /// </summary>
    private static int AppendCase(Dictionary<string, string> options)
    {
        double[] block = NpyFile.Load<double>(Require(options, "step"));
        string outDir = Require(options, "out");
        int chunk = int.Parse(Require(options, "chunk"), CultureInfo.InvariantCulture);
        int steps = int.Parse(Require(options, "steps"), CultureInfo.InvariantCulture);

        // --transactional false is a diagnostic, not the case: the same appends written in place, without commits.
        bool transactional = bool.Parse(options.GetValueOrDefault("transactional", "true"));
        bool durable = bool.Parse(options.GetValueOrDefault("durable", "true")); // diagnostic: commits without flushes
        bool directWrites = bool.Parse(options.GetValueOrDefault("direct-writes", "true")); // diagnostic: see DirectFileWriter.MinBytes
        DeleteIfExists(outDir);
        try
        {
            double[] times;
            using (var store = ZarrStore.Open(outDir, new ZarrStoreOptions { Transactional = transactional, Durable = durable, DirectWrites = directWrites }))
            {
                var x = store.CreateArray<double>("x", [0], [chunk], AppendArrayOptions);
                times = AppendSteps(x, block, steps);
            }

            double checksum;
            using (var reopened = ZarrStore.OpenExisting(outDir, new ZarrStoreOptions { Transactional = transactional }))
            {
                var x = reopened.OpenArray<double>("x");
                if (x.Shape[0] != (long)steps * block.Length)
                {
                    throw new InvalidOperationException($"append: final shape [{x.Shape[0]}], expected [{(long)steps * block.Length}]");
                }

                checksum = Checksum(x.Read());
            }

            Emit(options.GetValueOrDefault("case", "append"), times.Sum(), (long)steps * block.Length * sizeof(double), checksum, json =>
            {
                json.WriteNumber("steps", steps);
                json.WriteNumber("step_bytes", (long)block.Length * sizeof(double));
                json.WriteNumber("median_step_ms", Median(times) * 1e3);
            });
            return 0;
        }
        finally
        {
            DeleteIfExists(outDir);
        }
    }

    /// <summary>
    /// append_big: for each base (<c>--base-small</c>, then <c>--base-large</c>; Zarr v2 arrays at the folder's root):
    /// copy it to <c>--out</c>, open it transactionally, append <c>--steps</c> steps as <see cref="AppendCase"/> does,
    /// read the appended region back. Timed: the appends onto the large base; the median latency of one append (one
    /// commit) on each base is reported, to show that it does not grow with the array.
    /// </summary>
    private static int AppendBig(Dictionary<string, string> options)
    {
        double[] block = NpyFile.Load<double>(Require(options, "step"));
        string outDir = Require(options, "out");
        int steps = int.Parse(Require(options, "steps"), CultureInfo.InvariantCulture);
        double checksum = 0, seconds = 0;
        var latency = new Dictionary<string, double>(StringComparer.Ordinal);
        var baseBytes = new Dictionary<string, long>(StringComparer.Ordinal);
        DeleteIfExists(outDir);
        try
        {
            foreach (var (label, baseDir) in new[] { ("small", Require(options, "base-small")), ("large", Require(options, "base-large")) })
            {
                CopyDirectory(baseDir, outDir);
                double[] times;
                long n0;
                using (var store = ZarrStore.OpenExisting(outDir))
                {
                    var x = store.OpenArray<double>(string.Empty);
                    n0 = x.Shape[0];
                    baseBytes[label] = n0 * sizeof(double);
                    times = AppendSteps(x, block, steps);
                }

                using (var reopened = ZarrStore.OpenExisting(outDir))
                {
                    var x = reopened.OpenArray<double>(string.Empty);
                    long appended = (long)steps * block.Length;
                    if (x.Shape[0] != n0 + appended)
                    {
                        throw new InvalidOperationException($"append_big: final shape [{x.Shape[0]}] on the {label} base, expected [{n0 + appended}]");
                    }

                    checksum += Checksum(x.Read(new ArraySubset([n0], [appended])));
                }

                latency[label] = Median(times);
                if (label == "large")
                {
                    seconds = times.Sum();
                }

                DeleteIfExists(outDir);
            }

            Emit(options.GetValueOrDefault("case", "append_big"), seconds, (long)steps * block.Length * sizeof(double), checksum, json =>
            {
                json.WriteNumber("steps", steps);
                json.WriteNumber("step_bytes", (long)block.Length * sizeof(double));
                json.WriteNumber("latency_small_base_ms", latency["small"] * 1e3);
                json.WriteNumber("latency_large_base_ms", latency["large"] * 1e3);
                json.WriteNumber("base_small_bytes", baseBytes["small"]);
                json.WriteNumber("base_large_bytes", baseBytes["large"]);
            });
            return 0;
        }
        finally
        {
            DeleteIfExists(outDir);
        }
    }

    /// <summary>
    /// commit_latency: <c>--commits</c> transactions on a new store (chunks of the first <c>--elements</c> values of
    /// <c>--step</c>, default all), each <c>BeginTransaction</c>, a write of one whole
    /// chunk (the block in <c>--step</c> + k, chunk k) and <c>Commit</c>. Reports the median time of one such transaction
    /// as <c>seconds</c> and the chunk's bytes; checksum: the sum of the array read back.
    /// </summary>
    private static int CommitLatency(Dictionary<string, string> options)
    {
        double[] block = NpyFile.Load<double>(Require(options, "step"));
        string outDir = Require(options, "out");
        int commits = int.Parse(Require(options, "commits"), CultureInfo.InvariantCulture);
        bool durable = bool.Parse(options.GetValueOrDefault("durable", "true")); // diagnostic: commits without flushes
        if (options.TryGetValue("elements", out string? elements))
        {
            block = block[..int.Parse(elements, CultureInfo.InvariantCulture)];
        }

        DeleteIfExists(outDir);
        try
        {
            var times = new double[commits];
            var buffer = new double[block.Length];
            using (var store = ZarrStore.Open(outDir, new ZarrStoreOptions { Durable = durable }))
            {
                store.CreateArray<double>("x", [(long)commits * block.Length], [block.Length], AppendArrayOptions);
                for (int k = 0; k < commits; k++)
                {
                    TensorPrimitives.Add(block, k, buffer);
                    var clock = Stopwatch.StartNew();
                    using (var tx = store.BeginTransaction())
                    {
                        tx.OpenArray<double>("x").Write(new ArraySubset([(long)k * block.Length], [block.Length]), buffer);
                        tx.Commit();
                    }

                    times[k] = clock.Elapsed.TotalSeconds;
                }
            }

            double checksum;
            using (var reopened = ZarrStore.OpenExisting(outDir))
            {
                checksum = Checksum(reopened.OpenArray<double>("x").Read());
            }

            Emit(options.GetValueOrDefault("case", "commit_latency"), Median(times), (long)block.Length * sizeof(double), checksum, json =>
            {
                json.WriteNumber("commits", commits);
                json.WriteNumber("median_commit_ms", Median(times) * 1e3);
                json.WriteNumber("min_commit_ms", times.Min() * 1e3);
            });
            return 0;
        }
        finally
        {
            DeleteIfExists(outDir);
        }
    }

    // Appends block + k for k < steps, each as one commit; returns the time of each append.
    private static double[] AppendSteps(ZarrArray<double> x, double[] block, int steps)
    {
        var buffer = new double[block.Length];
        var times = new double[steps];
        for (int k = 0; k < steps; k++)
        {
            TensorPrimitives.Add(block, k, buffer);
            var clock = Stopwatch.StartNew();
            x.Append(buffer);
            times[k] = clock.Elapsed.TotalSeconds;
        }

        return times;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static void DeleteIfExists(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (string file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }

        foreach (string dir in Directory.EnumerateDirectories(source))
        {
            CopyDirectory(dir, Path.Combine(destination, Path.GetFileName(dir)));
        }
    }
}
