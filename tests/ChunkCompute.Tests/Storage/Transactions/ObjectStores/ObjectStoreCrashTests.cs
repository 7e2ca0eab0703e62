using System.Diagnostics;
using System.Globalization;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Azure;
using ChunkCompute.Storage.Transactions;
using ChunkCompute.Tests.Storage.Stores.Azure;
using Xunit;

namespace ChunkCompute.Tests.Storage.Transactions.ObjectStores;

/// <summary>
/// kill -9 at random moments of a child process committing multi-array transactions to Azure Blob Storage (Azurite on
/// 127.0.0.1). After every kill, readers see the store at the old or the new version (never a mix); a handle whose clock
/// is past the dead writer's lease then finishes any commit it left half published; the store verifies, and every
/// array holds one generation, every acknowledged commit included. The default run kills 6 times; set
/// CHUNKCOMPUTE_CRASH_KILLS (e.g. 200) for the full run:
/// <c>CHUNKCOMPUTE_CRASH_KILLS=200 dotnet test -c Release --filter FullyQualifiedName~ObjectStoreCrashTests</c>.
/// </summary>
public sealed class ObjectStoreCrashTests(AzuriteServer server, ITestOutputHelper output) : IClassFixture<AzuriteServer>
{
    private const int Elements = 4096; // 16 chunks of 256 longs per array: a commit publishes ~35 objects

    private static int Kills => int.TryParse(Environment.GetEnvironmentVariable("CHUNKCOMPUTE_CRASH_KILLS"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 6;

    private static readonly ZarrStoreOptions Finisher = new() { ChunkCacheBytes = 0, ObjectLogTimings = new ObjectLogTimings { ClockSkew = TimeSpan.FromHours(-1) } };

    [Fact]
    public async Task KilledMidCommit_ReadersSeeOldOrNew_AndTheNextWriterFinishesIt()
    {
        string url = server.NewContainer("crash.zarr");
        using (var store = ZarrStore.Open(new AzureBlobStore(url, server.Options)))
        {
            store.Transact(tx =>
            {
                tx.CreateGroup(string.Empty);
                tx.CreateArray<long>("a", [Elements], [256]);
                tx.CreateArray<long>("b", [Elements], [256]);
                tx.CreateArray<long>("log", [0, 4], [8, 4]);
            });
        }

        var env = new Dictionary<string, string> { ["AZURE_STORAGE_CONNECTION_STRING"] = server.ConnectionString };
        var rng = new Random(20261205);
        var ct = TestContext.Current.CancellationToken;
        long lastSeen = 0;
        int finished = 0;
        for (int kill = 0; kill < Kills; kill++)
        {
            using var p = Worker.Start(env, "commit-loop", url);
            long printed = lastSeen;
            var reading = Task.Run(
                async () =>
                {
                    while (await p.StandardOutput.ReadLineAsync(ct) is { } line)
                    {
                        if (line.StartsWith("committed ", StringComparison.Ordinal))
                        {
                            Interlocked.Exchange(ref printed, long.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture));
                        }
                    }
                },
                ct);

            // Every other kill lands after this worker committed at least once; the others anywhere, start-up included.
            if (kill % 2 == 1)
            {
                var started = Stopwatch.StartNew();
                while (Interlocked.Read(ref printed) == lastSeen && started.Elapsed < TimeSpan.FromSeconds(30) && !p.HasExited)
                {
                    await Task.Delay(10, ct);
                }

                await Task.Delay(rng.Next(0, 300), ct);
            }
            else
            {
                await Task.Delay(rng.Next(200, 1500), ct);
            }

            p.Kill();
            await p.WaitForExitAsync(ct);
            await reading;
            long seen = Interlocked.Read(ref printed);

            // A reader now: one version, whatever the dead writer left half published.
            using (var reader = ZarrStore.Open(new AzureBlobStore(url, server.Options)))
            {
                long g = AssertOneGeneration(reader, $"after kill {kill}, before finishing");
                Assert.InRange(g, lastSeen, seen + 1);
            }

            // A writer whose clock is past the dead writer's lease finishes its commit (gc does what the next commit does).
            using (var next = ZarrStore.Open(new AzureBlobStore(url, server.Options), Finisher))
            {
                long before = next.Version!.Value;
                next.CollectGarbage(ct);
                next.Refresh();
                finished += next.Version!.Value > before ? 1 : 0;
                var report = next.Verify();
                Assert.True(report.IsSound, $"after kill {kill}: {string.Join("; ", report.Problems)}");
                long g = AssertOneGeneration(next, $"after kill {kill}");
                Assert.InRange(g, seen, seen + 1); // every acknowledged commit survives; at most one more
                lastSeen = g;
            }
        }

        output.WriteLine($"{Kills} kills, {finished} left a commit half published (finished by the next writer), {lastSeen} generations committed");
        Assert.True(lastSeen > 0, "the worker never committed: the kills came too early to test anything");
    }

    private static long AssertOneGeneration(ZarrStore store, string when)
    {
        var log = store.OpenArray<long>("log");
        long g = log.Shape[0];
        Assert.All(store.OpenArray<long>("a").Read(), v => Assert.True(v == g, $"{when}: a holds {v}, the log {g} generations"));
        Assert.All(store.OpenArray<long>("b").Read(), v => Assert.True(v == -g, $"{when}: b holds {v}, the log {g} generations"));
        var rows = log.Read();
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.Equal((i / 4) + 1, rows[i]);
        }

        return g;
    }
}
