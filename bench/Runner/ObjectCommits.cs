using System.Diagnostics;
using System.Globalization;
using Azure.Storage.Blobs;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Azure;
using ChunkCompute.Storage.S3;

namespace ChunkCompute.Bench;

/// <summary>
/// Transactions on an object store (bench/objectstores/commits.sh, Azurite on 127.0.0.1), each against the same writes
/// without transactions in the same run (<c>--mode plain</c>: <c>ZarrStoreOptions.Transactional = false</c>, each chunk
/// one PUT, metadata last):
/// <list type="bullet">
/// <item><c>commit</c>: <c>--commits</c> small commits, each writing one 64 KiB chunk of an existing array; the latency
/// of each, p50 and p99.</item>
/// <item><c>append</c>: <c>--mib</c> MiB of float32 rows appended in transactions of <c>--tx-mib</c> MiB (1 MiB chunks);
/// MB/s.</item>
/// </list>
/// </summary>
internal static partial class Program
{
    private static int ObjectCommitCase(Dictionary<string, string> options)
    {
        S3Store.Register();
        AzureBlobStore.Register();
        string url = Require(options, "url");
        string mode = Require(options, "mode");
        string what = Require(options, "what");
        bool transactional = mode switch
        {
            "tx" => true,
            "plain" => false,
            _ => throw new ArgumentException($"--mode must be tx or plain, not '{mode}'"),
        };

        if (url.StartsWith("az://", StringComparison.Ordinal))
        {
            // a fresh container for every run
            string container = url["az://".Length..].Split('/')[0];
            new BlobServiceClient(Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING")).GetBlobContainerClient(container).CreateIfNotExists();
        }

        var storeOptions = new ZarrStoreOptions { Transactional = transactional, ChunkCacheBytes = 0 };
        using var store = ZarrStore.Open(url, storeOptions);
        if (store.IsTransactional != transactional)
        {
            throw new InvalidOperationException($"'{url}' opened {(store.IsTransactional ? "with" : "without")} transactions in mode {mode}");
        }

        return what switch
        {
            "commit" => ObjectCommitLatency(store, mode, int.Parse(options.GetValueOrDefault("commits", "200"), CultureInfo.InvariantCulture)),
            "append" => ObjectAppend(store, mode, int.Parse(options.GetValueOrDefault("mib", "256"), CultureInfo.InvariantCulture), int.Parse(options.GetValueOrDefault("tx-mib", "16"), CultureInfo.InvariantCulture)),
            _ => throw new ArgumentException($"--what must be commit or append, not '{what}'"),
        };
    }

    private static int ObjectCommitLatency(ZarrStore store, string mode, int commits)
    {
        const int chunk = 16384; // float32: 64 KiB
        const int chunks = 16;
        var x = store.CreateArray<float>("x", [(long)chunk * chunks], [chunk]);
        var buffer = new float[chunk];
        var times = new double[commits];
        for (int k = 0; k < commits; k++)
        {
            Array.Fill(buffer, k);
            var region = new ArraySubset([(long)(k % chunks) * chunk], [chunk]);
            var clock = Stopwatch.StartNew();
            x.Write(region, buffer); // a transactional store commits each write
            times[k] = clock.Elapsed.TotalSeconds;
        }

        var sorted = times.Order().ToArray();
        double p50 = sorted[sorted.Length / 2], p99 = sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * 0.99))];
        var back = store.OpenArray<float>("x").Read();
        Emit("objcommit_" + mode, p50, (long)chunk * sizeof(float), Checksum(back.Select(v => (double)v).ToArray()), json =>
        {
            json.WriteNumber("commits", commits);
            json.WriteNumber("p50_ms", p50 * 1e3);
            json.WriteNumber("p99_ms", p99 * 1e3);
            json.WriteNumber("mean_ms", times.Average() * 1e3);
        });
        return 0;
    }

    private static int ObjectAppend(ZarrStore store, string mode, int mib, int txMib)
    {
        const int columns = 1024;              // a row: 4 KiB
        const int chunkRows = 256;             // a chunk: 1 MiB
        int rowsPerTx = txMib * 256;
        int transactions = Math.Max(1, mib / txMib);
        var x = store.CreateArray<float>("t", [0, columns], [chunkRows, columns]);
        var rows = new float[(long)rowsPerTx * columns];
        double checksum = 0;
        var clock = Stopwatch.StartNew();
        for (int t = 0; t < transactions; t++)
        {
            Array.Fill(rows, t);
            checksum += (double)t * rows.Length;
            if (store.IsTransactional)
            {
                store.Transact(tx => tx.OpenArray<float>("t").Append(rows));
            }
            else
            {
                x.Append(rows);
            }
        }

        double seconds = clock.Elapsed.TotalSeconds;
        long bytes = (long)transactions * rows.Length * sizeof(float);
        long stored = store.OpenArray<float>("t").Shape[0];
        if (stored != (long)transactions * rowsPerTx)
        {
            throw new InvalidOperationException($"appended {transactions * rowsPerTx} rows, the array has {stored}");
        }

        Emit("objappend_" + mode, seconds, bytes, checksum, json =>
        {
            json.WriteNumber("transactions", transactions);
            json.WriteNumber("mb_per_s", bytes / seconds / 1e6);
        });
        return 0;
    }
}
