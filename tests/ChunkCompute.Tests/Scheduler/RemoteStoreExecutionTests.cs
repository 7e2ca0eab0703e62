using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Codecs;
using ChunkCompute.Storage.Stores;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Scheduler;

/// <summary>
/// Computations over a store that answers over a network (<see cref="StoreCapabilities.RemoteRequests"/>): chunk reads are
/// fetched ahead with many requests in flight (not one per core), whole-chunk writes are awaited without a thread, every
/// byte in flight is within the budget, failures name the chunk and cancellation cancels the requests. The store is a
/// <see cref="LatencyStore"/> (a delay per request, counting requests in flight) over memory; results are checked against
/// the same values computed in memory.
/// </summary>
public sealed class RemoteStoreExecutionTests
{
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(40);

    public static TheoryData<string> Layouts => new() { "raw-v3", "blosc-v2" };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Reductions_OverRemoteStore_KeepManyReadsInFlight_AndMatchMemory(string layout)
    {
        // 64 chunks and a partial last one; two worker threads.
        var (inner, values) = Stored(layout, 64 * 1000 + 321, 1000);
        var remote = new LatencyStore(inner, Latency);
        using var zarr = new ZarrStore(remote);
        var x = zarr.Open<double>("x");
        var options = new ComputeOptions { MaxDegreeOfParallelism = 2 };

        var (mean, std) = Computation.Compute(x.Mean(), x.Std(), options);

        Assert.Equal(values.Average(), mean.Value, 1e-9);
        double mu = values.Average();
        Assert.Equal(Math.Sqrt(values.Select(v => (v - mu) * (v - mu)).Average()), std.Value, 1e-9);
        Assert.True(remote.MaxReadsInFlight >= 16, $"only {remote.MaxReadsInFlight} reads were in flight at once");
        Assert.True(remote.MaxReadsInFlight <= options.MaxRequestsInFlight, $"{remote.MaxReadsInFlight} reads in flight");
    }

    [Fact]
    public void Compute_ReadsEachChunkOnce_AndNoMetadata()
    {
        var (inner, values) = Stored("blosc-v2", 30 * 100 + 7, 100);
        var remote = new LatencyStore(inner, TimeSpan.FromMilliseconds(2));
        using var zarr = new ZarrStore(remote);
        var x = zarr.Open<double>("x");
        remote.ReadsByKey.Clear();

        var (sum, max) = Computation.Compute(x.Sum(), x.Max());

        Assert.Equal(values.Sum(), sum.Value, 1e-6);
        Assert.Equal(values.Max(), max.Value);
        Assert.Equal(Enumerable.Range(0, 31).Select(i => "x/" + i).Order(StringComparer.Ordinal), remote.ReadsByKey.Keys.Order(StringComparer.Ordinal));
        Assert.All(remote.ReadsByKey.Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public void MaxRequestsInFlight_BoundsTheReads()
    {
        var (inner, values) = Stored("raw-v3", 40 * 500, 500);
        var remote = new LatencyStore(inner, Latency);
        using var zarr = new ZarrStore(remote);

        double sum = zarr.Open<double>("x").Sum().ComputeScalar(new ComputeOptions { MaxRequestsInFlight = 3 });

        Assert.Equal(values.Sum(), sum, 1e-6);
        Assert.InRange(remote.MaxReadsInFlight, 2, 3);
    }

    [Fact]
    public void Budget_BoundsTheBytesInFlight()
    {
        // Chunks of 1 MiB decoded: a read task reserves its output and the fetched bytes, so an 8 MiB budget allows
        // only a few reads at once however many requests may be in flight.
        const int chunk = 1 << 17;
        var (inner, values) = Stored("raw-v3", 24 * chunk, chunk);
        var remote = new LatencyStore(inner, Latency);
        using var zarr = new ZarrStore(remote);
        long budget = 8L << 20;

        var result = zarr.Open<double>("x").Sum().Compute(new ComputeOptions { MemoryBudget = budget });

        Assert.Equal(values.Sum(), result.Value, 1e-3);
        Assert.True(result.Statistics.PeakMemoryBytes <= budget, $"peak {result.Statistics.PeakMemoryBytes}");
        Assert.InRange(remote.MaxReadsInFlight, 1, (int)(budget / (2L * chunk * sizeof(double))));
    }

    [Fact]
    public void ToStore_OnRemoteStore_WritesManyChunksInFlight_AndRoundTrips()
    {
        var values = Enumerable.Range(0, 48 * 800 + 77).Select(i => Math.Cos(i * 0.01) * 7).ToArray();
        var inner = new MemoryStore();
        var remote = new LatencyStore(inner, Latency);
        using var zarr = new ZarrStore(remote);

        (ChunkedArray.FromArray(values, 800) * 2.0).ToStore(zarr, "y").Compute(new ComputeOptions { MaxDegreeOfParallelism = 2 });

        using var local = new ZarrStore(inner);
        Assert.Equal(values.Select(v => v * 2.0).ToArray(), local.OpenArray<double>("y").Read());
        Assert.True(remote.MaxWritesInFlight >= 8, $"only {remote.MaxWritesInFlight} writes were in flight at once");
    }

    [Fact]
    public void FailedRemoteRead_FailsNamingTheChunk_AndHoldsNothing()
    {
        var (inner, _) = Stored("raw-v3", 30 * 100, 100);
        var remote = new LatencyStore(inner, TimeSpan.FromMilliseconds(5)) { FailReads = key => key == "x/c/17" };
        using var zarr = new ZarrStore(remote);

        var ex = Assert.Throws<ChunkTaskFailedException>(() => zarr.Open<double>("x").Mean().ComputeScalar());

        Assert.Contains("[17]", ex.Message, StringComparison.Ordinal);
        Assert.IsType<StoreUnavailableException>(ex.InnerException);
        Assert.Contains("x/c/17", ex.InnerException!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancelledCompute_CancelsTheRequestsInFlight()
    {
        var (inner, _) = Stored("raw-v3", 20 * 100, 100);
        var remote = new LatencyStore(inner, TimeSpan.Zero);
        using var zarr = new ZarrStore(remote);
        var x = zarr.Open<double>("x");
        remote.Latency = TimeSpan.FromSeconds(30);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => x.Mean().ComputeAsync(null, cts.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.True(remote.Cancelled >= 2, $"{remote.Cancelled} requests were cancelled");
    }

    [Fact]
    public void RegionRead_OnRemoteStore_FetchesChunksConcurrently()
    {
        var (inner, values) = Stored("blosc-v2", 50 * 200, 200);
        var remote = new LatencyStore(inner, Latency);
        using var zarr = new ZarrStore(remote, new ZarrStoreOptions { ChunkCacheBytes = 0 });

        var part = zarr.OpenArray<double>("x").Read(new ArraySubset([150], [9000]));

        Assert.Equal(values[150..9150], part);
        Assert.True(remote.MaxReadsInFlight >= 8, $"only {remote.MaxReadsInFlight} reads were in flight at once");
    }

    [Fact]
    public async Task DecodeChunk_OfAnEdgeChunk_GivesItsPartInsideTheArray()
    {
        var (inner, values) = Stored("blosc-v2", 1050, 100);
        using var zarr = new ZarrStore(new LatencyStore(inner, TimeSpan.Zero));
        var x = zarr.OpenArray("x");

        using var edge = await x.FetchChunkAsync([10], TestContext.Current.CancellationToken);
        var inside = new byte[50 * sizeof(double)];
        x.DecodeChunk(edge, inside);
        Assert.Equal(values[1000..], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(inside).ToArray());

        var whole = new byte[100 * sizeof(double)];
        x.DecodeChunk(edge, whole);
        Assert.Equal(values[1000..], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(whole)[..50].ToArray());
        Assert.Throws<ShapeMismatchException>(() => x.DecodeChunk(edge, new byte[60 * sizeof(double)]));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RegionRead_OfPartOfAShard_ReadsTheIndexAndTheInnerChunksByRanges(bool compressed)
    {
        // Shards of 100,000 float64 (800 kB decoded) in inner chunks of 1,000; the second shard has inner chunks that
        // hold only the fill value (not stored) and the third shard is not stored at all.
        var inner = new MemoryStore();
        var values = Enumerable.Range(0, 300_000).Select(i => i < 100_000 ? Math.Sin(i * 0.001) * 50 : i < 200_000 && (i / 1000) % 3 == 0 ? -1.0 : i < 200_000 ? i * 0.5 : -1.0).ToArray();
        using (var setup = new ZarrStore(inner))
        {
            var options = new ArrayOptions { ShardShape = [100_000], FillValue = -1.0, Compression = compressed ? Compression.Blosc() : Compression.None };
            setup.CreateArray<double>("s", [300_000], [1000], options).Write(values);
        }

        long shardBytes = inner.GetSize("s/c/0")!.Value;
        Assert.Null(inner.GetSize("s/c/2"));
        var remote = new LatencyStore(inner, TimeSpan.Zero);
        using var zarr = new ZarrStore(remote, new ZarrStoreOptions { ChunkCacheBytes = 0 });
        var s = zarr.OpenArray<double>("s");
        remote.ReadsByKey.Clear();

        Assert.Equal(values[12_345..14_845], s.Read(new ArraySubset([12_345], [2_500])));
        Assert.True(remote.BytesRead < shardBytes / 10, $"{remote.BytesRead} bytes read of a {shardBytes}-byte shard");
        Assert.True(remote.RangeReads <= 2, $"{remote.RangeReads} range reads: the index and one run of neighbouring inner chunks");

        // Across the shard boundary, through inner chunks that are not stored, into a shard that is not stored.
        Assert.Equal(values[99_500..100_600], s.Read(new ArraySubset([99_500], [1_100])));
        Assert.Equal(values[150_200..150_900], s.Read(new ArraySubset([150_200], [700])));
        Assert.Equal(values[250_000..250_010], s.Read(new ArraySubset([250_000], [10])));

        // A shard whose tail was cut off (a crashed writer) is a clear error naming it, not wrong values.
        var stored = inner.Get("s/c/1")!;
        inner.Set("s/c/1", stored.AsSpan(0, stored.Length - 100));
        var ex = Assert.Throws<CorruptChunkException>(() => s.Read(new ArraySubset([150_200], [700])));
        Assert.Contains("s/c/1", ex.Message, StringComparison.Ordinal);
    }

    // Array "x" of the given length and chunk in a memory store, written without latency; values are distinct per element.
    private static (MemoryStore Store, double[] Values) Stored(string layout, int length, int chunk)
    {
        var inner = new MemoryStore();
        var values = Enumerable.Range(0, length).Select(i => Math.Sin(i * 0.37) * 1000 + (i % 7)).ToArray();
        using var setup = new ZarrStore(inner);
        var options = layout == "blosc-v2"
            ? new ArrayOptions { Format = ZarrFormat.V2, Compression = Compression.Blosc("lz4", 5, BloscShuffle.Shuffle) }
            : new ArrayOptions { Format = ZarrFormat.V3 };
        setup.CreateArray<double>("x", [length], [chunk], options).Write(values);
        return (inner, values);
    }
}
