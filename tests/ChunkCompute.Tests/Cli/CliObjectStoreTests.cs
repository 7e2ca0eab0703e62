using ChunkCompute.Storage;
using ChunkCompute.Storage.Npy;
using ChunkCompute.Storage.Stores;
using ChunkCompute.Tests.Storage.Stores.Azure;
using ChunkCompute.Tests.Storage.Stores.S3;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Cli;

/// <summary>
/// The CLI between local stores and the object stores on 127.0.0.1 (s3rver, Azurite): every zarr-python fixture uploaded
/// with <c>convert</c> reads back exactly (as NumPy holds it); a convert that fails part-way or is cancelled leaves
/// nothing at the target (no metadata, no chunks); <c>import</c> to an object store publishes the metadata last.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class CliObjectStoreTests(S3rverServer s3, AzuriteServer azure) : IClassFixture<S3rverServer>, IClassFixture<AzuriteServer>
{
    public static TheoryData<string> Fixtures()
    {
        var names = new TheoryData<string>();
        foreach (var npy in Directory.EnumerateFiles(FixturePaths.ZarrV2, "*.npy").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(npy);
            if (!name.StartsWith("group__", StringComparison.Ordinal))
            {
                names.Add(name);
            }
        }

        return names;
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void ZarrPythonFixture_UploadedWithConvert_ReadsBackExactly(string name)
    {
        var (header, expected) = Npy.Load(Path.Combine(FixturePaths.ZarrV2, name + ".npy"));
        string source = Path.Combine(FixturePaths.ZarrV2, name + ".zarr");
        using var env = Environment();
        foreach (string url in new[] { s3.NewBucket("fixtures"), azure.NewContainer("fixtures") })
        {
            CliHarness.Expect(0, ["convert", source, url, "--array", "/", "--to-array", "a"]);

            using var store = ZarrStore.OpenExisting(url);
            var array = store.OpenArray("a");
            Assert.Equal(header.Shape, array.Shape);
            var actual = new byte[expected.Length];
            array.ReadBytes(ArraySubset.All(array.Shape), actual);
            ElementAssert.Equal(array.DataType, expected, actual, $"{name} via {url}");
        }
    }

    [Fact]
    public void Convert_FailingPartWay_ToObjectStores_LeavesNothingAtTheTarget()
    {
        using var tmp = new Interop.TempDirectory("cc-cli-os-fail");
        string source = tmp.Combine("src.zarr");
        using (var local = ZarrStore.Open(source, new ZarrStoreOptions { Transactional = false }))
        {
            var x = local.CreateArray<double>("x", [40 * 100], [100], new ArrayOptions { Format = ZarrFormat.V2 });
            x.Write(Enumerable.Range(0, 4000).Select(i => i * 0.25).ToArray());
        }

        // Chunk 31 is cut short: some chunks are written before the convert meets it.
        string bad = Path.Combine(source, "x", "31");
        File.WriteAllBytes(bad, File.ReadAllBytes(bad)[..10]);

        using var env = Environment();
        foreach (string url in new[] { s3.NewBucket("out"), azure.NewContainer("out") })
        {
            var result = CliHarness.Run(["convert", source, url, "--array", "x", "--format", "v3", "--codec", "none"]);
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("31", result.Stderr, StringComparison.Ordinal);

            using var target = ZarrStore.OpenExisting(url);
            Assert.Empty(target.Store.List(string.Empty));
        }
    }

    [Fact]
    public void Convert_Cancelled_ToAnObjectStore_PublishesNoMetadata()
    {
        // A destination whose chunk requests take 150 ms: 2,000 chunk writes, 64 in flight, take ~5 s; the cancel comes
        // after 1.5 s, while writes are in flight.
        var inner = new MemoryStore();
        var slow = new LatencyStore(inner, TimeSpan.FromMilliseconds(150)) { Slow = key => key.Contains("x/c/", StringComparison.Ordinal) };
        string scheme = "slow" + Guid.NewGuid().ToString("N")[..8];
        StoreLocations.Register(scheme, _ => slow);
        using var tmp = new Interop.TempDirectory("cc-cli-os-cancel");
        string source = tmp.Combine("src.zarr");
        using (var local = ZarrStore.Open(source))
        {
            local.CreateArray<float>("x", [2000 * 64], [64]).Write(Enumerable.Range(0, 2000 * 64).Select(i => (float)i).ToArray());
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(1500));
        var result = CliHarness.RunCancellable(cts.Token, ["convert", source, scheme + "://bucket/out", "--array", "x"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("cancel", result.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.True(slow.MaxWritesInFlight >= 8, $"{slow.MaxWritesInFlight} writes were in flight: the cancel came before any ({result.Stderr})");
        Assert.DoesNotContain(inner.List(string.Empty), k => k.Contains("zarr.json", StringComparison.Ordinal) || k.Contains(".zarray", StringComparison.Ordinal));
        Assert.Empty(inner.List("x/"));
    }

    [Fact]
    public void Import_ToObjectStores_ReadsBackExactly()
    {
        using var tmp = new Interop.TempDirectory("cc-cli-os-import");
        var values = Enumerable.Range(0, 300 * 7).Select(i => (float)Math.Sqrt(i)).ToArray();
        string npy = tmp.Combine("x.npy");
        Npy.Save<float>(npy, values, [300, 7]);
        using var env = Environment();
        foreach (string url in new[] { s3.NewBucket("imported"), azure.NewContainer("imported") })
        {
            CliHarness.Expect(0, ["import", npy, url, "--array", "g/x", "--chunks", "64,7"]);
            using var store = ZarrStore.OpenExisting(url);
            Assert.Equal(values, store.OpenArray<float>("g/x").Read());
        }
    }

    [Fact]
    public void InfoStatsAndExport_OfObjectStores_EqualTheLocalResults()
    {
        using var tmp = new Interop.TempDirectory("cc-cli-os-read");
        string source = tmp.Combine("src.zarr");
        var values = Enumerable.Range(0, 120 * 9).Select(i => Math.Tan(i * 0.01) + i).ToArray();
        using (var local = ZarrStore.Open(source))
        {
            local.CreateArray<double>("g/x", [120, 9], [50, 4]).Write(values);
        }

        using var env = Environment();
        string localStats = CliHarness.Expect(0, ["stats", source, "--array", "g/x", "--op", "std", "--axis", "0", "--json"]).Stdout;
        foreach (string url in new[] { s3.NewBucket("read"), azure.NewContainer("read") })
        {
            CliHarness.Expect(0, ["convert", source, url, "--array", "g/x"]);

            string info = CliHarness.Expect(0, ["info", url]).Stdout;
            Assert.Contains("g/x", info, StringComparison.Ordinal);
            Assert.Contains("[120, 9]", info, StringComparison.Ordinal);

            var remote = System.Text.Json.JsonDocument.Parse(CliHarness.Expect(0, ["stats", url, "--array", "g/x", "--op", "std", "--axis", "0", "--json"]).Stdout).RootElement;
            var expected = System.Text.Json.JsonDocument.Parse(localStats).RootElement;
            Assert.Equal(expected.GetProperty("value").ToString(), remote.GetProperty("value").ToString());

            string npy = tmp.Combine($"x-{Guid.NewGuid():N}.npy");
            CliHarness.Expect(0, ["export", url, npy, "--array", "g/x", "--slice", "10:110,1:8"]);
            var (header, bytes) = Npy.Load(npy);
            Assert.Equal([100L, 7L], header.Shape);
            var exported = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(bytes).ToArray();
            Assert.Equal(Enumerable.Range(10, 100).SelectMany(r => Enumerable.Range(1, 7).Select(c => values[(r * 9) + c])), exported);
        }
    }

    [Fact]
    public void Import_Cancelled_ToAnObjectStore_LeavesNoArray()
    {
        var inner = new MemoryStore();
        var slow = new LatencyStore(inner, TimeSpan.FromMilliseconds(150)) { Slow = key => key.Contains("x/c/", StringComparison.Ordinal) };
        string scheme = "slow" + Guid.NewGuid().ToString("N")[..8];
        StoreLocations.Register(scheme, _ => slow);
        using var tmp = new Interop.TempDirectory("cc-cli-os-import-cancel");
        string npy = tmp.Combine("x.npy");
        Npy.Save<float>(npy, Enumerable.Range(0, 400 * 64).Select(i => (float)i).ToArray(), [400 * 64]);

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(1500));
        var result = CliHarness.RunCancellable(cts.Token, ["import", npy, scheme + "://bucket/out", "--array", "x", "--chunks", "64"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("cancel", result.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.True(slow.MaxWritesInFlight >= 1, $"no chunk was being written when the cancel came ({result.Stderr})");
        Assert.DoesNotContain(inner.List(string.Empty), k => k.StartsWith("x/", StringComparison.Ordinal));
    }

    private EnvironmentScope Environment() => new(
        ("AWS_ENDPOINT_URL", s3.Endpoint), ("AWS_ACCESS_KEY_ID", "S3RVER"), ("AWS_SECRET_ACCESS_KEY", "S3RVER"), ("AWS_REGION", "us-east-1"),
        ("AZURE_STORAGE_CONNECTION_STRING", azure.ConnectionString));
}
