using System.Diagnostics;
using System.Globalization;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Transactions;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Storage.Transactions;

/// <summary>
/// kill -9 at random moments of a child process that commits large multi-array transactions; after every kill the
/// store opens, verifies, and holds exactly one committed generation in every array. The default run kills 12 times;
/// set CHUNKCOMPUTE_CRASH_KILLS (e.g. 200) for the full run:
/// <c>CHUNKCOMPUTE_CRASH_KILLS=200 dotnet test -c Release --filter FullyQualifiedName~CrashTests</c>.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output) : IDisposable
{
    private const int Elements = 64 * 1024; // 256 chunks of 256 longs per array: a commit renames ~520 files
    private readonly TempDirectory _dir = new("cc-crash");

    private string StorePath => _dir.Combine("s.zarr");

    public void Dispose() => _dir.Dispose();

    private static int Kills => int.TryParse(Environment.GetEnvironmentVariable("CHUNKCOMPUTE_CRASH_KILLS"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 12;

    [Fact]
    public async Task KilledMidCommit_StoreOpensAtOldOrNewVersion_AndVerifies()
    {
        using (var store = ZarrStore.Open(StorePath))
        {
            store.Transact(tx =>
            {
                tx.CreateArray<long>("a", [Elements], [256]);
                tx.CreateArray<long>("b", [Elements], [256]);
                tx.CreateArray<long>("log", [0, 4], [8, 4]);
            });
        }

        var rng = new Random(20261121);
        var ct = TestContext.Current.CancellationToken;
        long lastSeen = 0;
        int midCommit = 0;
        for (int kill = 0; kill < Kills; kill++)
        {
            using var p = Worker.Start("commit-loop", StorePath);
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

            if (kill % 2 == 1)
            {
                // Every other kill lands after this worker committed at least once (however slowly a loaded machine
                // starts it), so commits are always exercised; the others land anywhere, start-up included.
                var started = Stopwatch.StartNew();
                while (Interlocked.Read(ref printed) == lastSeen && started.Elapsed < TimeSpan.FromSeconds(30) && !p.HasExited)
                {
                    await Task.Delay(10, ct);
                }

                await Task.Delay(rng.Next(0, 400), ct);
            }
            else
            {
                await Task.Delay(rng.Next(150, 900), ct);
            }

            p.Kill(); // SIGKILL
            await p.WaitForExitAsync(ct);
            await reading;

            midCommit += PreparingAboveVersion() ? 1 : 0;
            using var store = ZarrStore.OpenExisting(StorePath); // recovery runs here
            var report = store.Verify();
            Assert.True(report.IsSound, $"after kill {kill}: {string.Join("; ", report.Problems)}");

            var log = store.OpenArray<long>("log");
            long g = log.Shape[0];
            long seen = Interlocked.Read(ref printed);
            Assert.InRange(g, seen, seen + 1); // every acknowledged commit survives; at most one more
            var a = store.OpenArray<long>("a").Read();
            var b = store.OpenArray<long>("b").Read();
            Assert.All(a, v => Assert.Equal(g, v));
            Assert.All(b, v => Assert.Equal(-g, v));
            var rows = log.Read();
            for (int i = 0; i < rows.Length; i++)
            {
                Assert.Equal((i / 4) + 1, rows[i]);
            }

            lastSeen = g;
        }

        output.WriteLine($"{Kills} kills, {midCommit} landed inside a commit (rolled back on open), {lastSeen} generations committed");
        Assert.True(lastSeen > 0, "the worker never committed: the kills came too early to test anything");
    }

    // A record 'preparing' above the published version: the kill landed between writing the record and the version.
    private bool PreparingAboveVersion()
    {
        string meta = Path.Combine(StorePath, ".chunkcompute");
        long version = VersionSlots.Parse(File.ReadAllBytes(Path.Combine(meta, "version")))!.Value.Version;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(meta, "log"), "*.json"))
        {
            // A blank record file is the next commit's, prepared; one cut short while written in place published nothing.
            if (long.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n > version
                && CommitRecord.Parse(File.ReadAllBytes(file))?.State == CommitRecord.Preparing)
            {
                return true;
            }
        }

        return false;
    }
}
