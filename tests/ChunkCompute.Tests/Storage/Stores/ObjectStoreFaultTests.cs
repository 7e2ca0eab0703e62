using System.Diagnostics;
using System.Net;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Stores;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Storage.Stores;

/// <summary>
/// Faults injected between an object store's SDK and its loopback server (<see cref="FaultInjectingHandler"/> through the
/// store's <c>WrapHttpHandler</c> option), the same cases for every object store: throttling and 5xx are retried,
/// retries run out into a clear error naming the URL and status, dropped connections and bodies cut short are read
/// again, stalls time out, cancelling a stalled read returns at once, and a range read is one request.
/// </summary>
public abstract class ObjectStoreFaultTests
{
    /// <summary>The value stored at "k".</summary>
    protected static readonly byte[] Value = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7 % 251)).ToArray();

    /// <summary>The service's "too busy" error code (S3 SlowDown, Azure ServerBusy).</summary>
    protected abstract string BusyCode { get; }

    /// <summary>GETs made when every body is cut short and MaxRetries is 2 (the SDKs differ: see the subclasses).</summary>
    protected abstract int GetsWhenEveryBodyIsCut { get; }

    /// <summary>How the store's timeout error says so (compared ignoring case).</summary>
    protected abstract string TimeoutWording { get; }

    /// <summary>A store on a new bucket or container holding <see cref="Value"/> at <paramref name="key"/>, with a fault handler in front.</summary>
    private protected abstract (IStore Store, FaultInjectingHandler Faults) Faulty(int maxRetries, TimeSpan? timeout = null, string? key = "k");

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, null)]
    [InlineData(HttpStatusCode.InternalServerError, "InternalError")]
    [InlineData(HttpStatusCode.TooManyRequests, "TooManyRequests")]
    [InlineData(HttpStatusCode.BadGateway, "BadGateway")]
    public async Task ThrottledOrFailing_ThenOk_ReadsTheValueAfterRetries(HttpStatusCode status, string? code)
    {
        code ??= BusyCode;
        var (store, faults) = Faulty(maxRetries: 3);
        faults.Fail(2, status, code, FaultInjectingHandler.On(HttpMethod.Get, "/k"));
        using var value = await store.GetPooledAsync("k");
        Assert.Equal(Value, value!.Memory.ToArray());
        Assert.Equal(3, faults.Count(IsGet("/k")));
    }

    [Fact]
    public void Throttled_Writes_AreRetriedAndStoredOnce()
    {
        var (store, faults) = Faulty(maxRetries: 3, key: null);
        faults.Fail(2, HttpStatusCode.ServiceUnavailable, BusyCode, FaultInjectingHandler.On(HttpMethod.Put, "/w"));
        store.Set("w", Value);
        Assert.Equal(3, faults.Count((m, u) => m == HttpMethod.Put && u.AbsolutePath.EndsWith("/w", StringComparison.Ordinal)));
        Assert.Equal(Value, store.Get("w"));
    }

    [Fact]
    public async Task RetriesExhausted_AreAStoreUnavailableErrorNamingUrlAndStatus()
    {
        var (store, faults) = Faulty(maxRetries: 2);
        faults.Fail(FaultInjectingHandler.Always, HttpStatusCode.ServiceUnavailable, BusyCode, FaultInjectingHandler.On(HttpMethod.Get, "/k"));
        var ex = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.GetPooledAsync("k").AsTask());
        Assert.Equal(store.Name, ex.Url);
        Assert.Contains(store.Name, ex.Message, StringComparison.Ordinal);
        Assert.Contains("503", ex.Message, StringComparison.Ordinal);
        Assert.Contains(BusyCode, ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, faults.Count(IsGet("/k"))); // the first request and two retries
    }

    [Fact]
    public async Task DroppedConnections_AreRetried()
    {
        var (store, faults) = Faulty(maxRetries: 3);
        faults.Drop(2, FaultInjectingHandler.On(HttpMethod.Get, "/k"));
        using var value = await store.GetPooledAsync("k");
        Assert.Equal(Value, value!.Memory.ToArray());
        Assert.Equal(3, faults.Count(IsGet("/k")));
    }

    [Fact]
    public async Task BodyCutShort_IsReadAgainExactly()
    {
        var (store, faults) = Faulty(maxRetries: 3);
        faults.CutBody(2, 10_000, FaultInjectingHandler.On(HttpMethod.Get, "/k"));
        using (var value = await store.GetPooledAsync("k"))
        {
            Assert.Equal(Value, value!.Memory.ToArray());
        }

        Assert.Equal(3, faults.Count(IsGet("/k")));
        faults.CutBody(1, 100, FaultInjectingHandler.On(HttpMethod.Get, "/k"));
        Assert.Equal(Value.AsSpan(50_000, 20_000).ToArray(), store.GetRange("k", ByteRange.Of(50_000, 20_000)));
    }

    [Fact]
    public async Task BodyCutShortEveryTime_IsAClearErrorAfterTheRetries()
    {
        var (store, faults) = Faulty(maxRetries: 2);
        faults.CutBody(FaultInjectingHandler.Always, 1000, FaultInjectingHandler.On(HttpMethod.Get, "/k"));
        var ex = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.GetPooledAsync("k").AsTask());
        Assert.Contains(store.Name, ex.Message, StringComparison.Ordinal);
        Assert.Equal(GetsWhenEveryBodyIsCut, faults.Count(IsGet("/k")));
    }

    [Fact]
    public async Task StalledRequest_TimesOutIntoAClearErrorWithinSeconds()
    {
        var (store, faults) = Faulty(maxRetries: 1, timeout: TimeSpan.FromSeconds(1));
        faults.Stall(FaultInjectingHandler.Always, FaultInjectingHandler.On(HttpMethod.Get, "/k"));
        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.GetPooledAsync("k").AsTask());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.Contains(store.Name, ex.Message, StringComparison.Ordinal);
        Assert.Contains(TimeoutWording, ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(2, faults.Count(IsGet("/k"))); // timed out, retried once, timed out again
    }

    [Fact]
    public async Task StalledBody_TimesOutAndIsReadAgain()
    {
        var (store, faults) = Faulty(maxRetries: 2, timeout: TimeSpan.FromSeconds(1));
        faults.StallBody(1, 5000, FaultInjectingHandler.On(HttpMethod.Get, "/k"));
        var clock = Stopwatch.StartNew();
        using var value = await store.GetPooledAsync("k");
        Assert.Equal(Value, value!.Memory.ToArray());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");

        // The stalled read timed out and the value was read again; on a loaded machine the healthy read may also pass
        // the 1 s timeout and take the second retry (a clean-clone CI run saw 3), never more than maxRetries allow.
        Assert.InRange(faults.Count(IsGet("/k")), 2, 3);
    }

    [Fact]
    public async Task Cancelling_AStalledRead_ReturnsPromptly()
    {
        var (store, faults) = Faulty(maxRetries: 3, timeout: TimeSpan.FromSeconds(60));
        faults.Stall(FaultInjectingHandler.Always, FaultInjectingHandler.On(HttpMethod.Get, "/k"));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.GetPooledAsync("k", cts.Token).AsTask());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Equal(1, faults.Count(IsGet("/k"))); // cancelled, not retried
    }

    private static Func<HttpMethod, Uri, bool> IsGet(string pathEnd) =>
        (m, u) => m == HttpMethod.Get && u.AbsolutePath.EndsWith(pathEnd, StringComparison.Ordinal);

    [Fact]
    public void RangeRead_IsOneRequest_AndAStartAtTheEndIsEmpty()
    {
        var (store, faults) = Faulty(maxRetries: 1);
        var s = store;
        int before = faults.Seen.Count;

        Assert.Equal(Value.AsSpan(1000, 500).ToArray(), s.GetRange("k", ByteRange.Of(1000, 500)));
        Assert.Equal(1, faults.Seen.Count - before);
        Assert.Equal(Value.AsSpan(Value.Length - 10).ToArray(), s.GetRange("k", ByteRange.Of(Value.Length - 10, 100)));
        Assert.Empty(s.GetRange("k", ByteRange.Of(Value.Length, 10))!);
        Assert.Throws<ArgumentOutOfRangeException>(() => s.GetRange("k", ByteRange.Of(Value.Length + 1, 10)));
        Assert.Null(s.GetRange("missing", ByteRange.Of(0, 10)));
    }

}
