using System.Buffers;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Tests.TestSupport;

/// <summary>
/// A store that behaves like an object store seen from the client: it states <see cref="StoreCapabilities.RemoteRequests"/>,
/// every request waits <paramref name="latency"/> (asynchronously on the async members, blocking on the sync ones), and it
/// counts the requests in flight at once, the most ever, and the requests cancelled. Values live in <paramref name="inner"/>.
/// </summary>
public sealed class LatencyStore(IStore inner, TimeSpan latency) : IStore
{
    private int _reads;
    private int _writes;
    private int _maxReads;
    private int _maxWrites;
    private int _cancelled;
    private long _bytesRead;
    private int _rangeReads;

    /// <summary>The wait per request (settable, e.g. to open arrays quickly and then stall).</summary>
    public TimeSpan Latency { get; set; } = latency;

    /// <summary>Which keys wait (null: all); the others are answered at once, like a server's cached metadata.</summary>
    public Func<string, bool>? Slow { get; init; }

    /// <summary>A key whose reads fail as an unreachable service would (null: none).</summary>
    public Func<string, bool>? FailReads { get; init; }

    /// <summary>Reads made of each key (sync and async).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, int> ReadsByKey { get; } = new(StringComparer.Ordinal);

    /// <summary>Bytes handed out by reads (whole values and ranges).</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>Range reads made.</summary>
    public int RangeReads => Volatile.Read(ref _rangeReads);

    /// <summary>The most chunk reads that were in flight at once.</summary>
    public int MaxReadsInFlight => Volatile.Read(ref _maxReads);

    /// <summary>The most writes that were in flight at once.</summary>
    public int MaxWritesInFlight => Volatile.Read(ref _maxWrites);

    /// <summary>Requests cancelled while in flight.</summary>
    public int Cancelled => Volatile.Read(ref _cancelled);

    /// <inheritdoc/>
    public string Name => "latency://" + inner.Name;

    /// <inheritdoc/>
    public StoreCapabilities Capabilities => inner.Capabilities | StoreCapabilities.RemoteRequests | StoreCapabilities.ByteRanges;

    /// <inheritdoc/>
    public bool SetIfAbsent(string key, ReadOnlySpan<byte> value)
    {
        Thread.Sleep(LatencyOf(key));
        return inner.SetIfAbsent(key, value);
    }

    /// <inheritdoc/>
    public VersionedValue? GetVersioned(string key)
    {
        Thread.Sleep(LatencyOf(key));
        Check(key);
        return inner.GetVersioned(key);
    }

    /// <inheritdoc/>
    public string? GetVersion(string key)
    {
        Thread.Sleep(LatencyOf(key));
        return inner.GetVersion(key);
    }

    /// <inheritdoc/>
    public string? SetIfVersion(string key, ReadOnlySpan<byte> value, string expectedVersion)
    {
        Thread.Sleep(LatencyOf(key));
        return inner.SetIfVersion(key, value, expectedVersion);
    }

    /// <inheritdoc/>
    public bool DeleteIfVersion(string key, string expectedVersion)
    {
        Thread.Sleep(LatencyOf(key));
        return inner.DeleteIfVersion(key, expectedVersion);
    }

    /// <inheritdoc/>
    public CopyOutcome CopyIfAbsent(string source, string sourceVersion, string destination)
    {
        Thread.Sleep(LatencyOf(source));
        return inner.CopyIfAbsent(source, sourceVersion, destination);
    }

    /// <inheritdoc/>
    public IMemoryOwner<byte>? GetPooled(string key)
    {
        Enter(ref _reads, ref _maxReads);
        ReadsByKey.AddOrUpdate(key, 1, (_, n) => n + 1);
        try
        {
            Thread.Sleep(LatencyOf(key));
            Check(key);
            return Counted(inner.GetPooled(key));
        }
        finally
        {
            Interlocked.Decrement(ref _reads);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<IMemoryOwner<byte>?> GetPooledAsync(string key, CancellationToken cancellationToken = default)
    {
        Enter(ref _reads, ref _maxReads);
        ReadsByKey.AddOrUpdate(key, 1, (_, n) => n + 1);
        try
        {
            await Delay(LatencyOf(key), cancellationToken).ConfigureAwait(false);
            Check(key);
            return Counted(inner.GetPooled(key));
        }
        finally
        {
            Interlocked.Decrement(ref _reads);
        }
    }

    /// <inheritdoc/>
    public IMemoryOwner<byte>? GetRangePooled(string key, ByteRange range)
    {
        Enter(ref _reads, ref _maxReads);
        ReadsByKey.AddOrUpdate(key, 1, (_, n) => n + 1);
        Interlocked.Increment(ref _rangeReads);
        try
        {
            Thread.Sleep(LatencyOf(key));
            Check(key);
            return Counted(inner.GetRangePooled(key, range));
        }
        finally
        {
            Interlocked.Decrement(ref _reads);
        }
    }

    /// <inheritdoc/>
    public void Set(string key, ReadOnlySpan<byte> value)
    {
        Enter(ref _writes, ref _maxWrites);
        try
        {
            Thread.Sleep(LatencyOf(key));
            inner.Set(key, value);
        }
        finally
        {
            Interlocked.Decrement(ref _writes);
        }
    }

    /// <inheritdoc/>
    public async ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        Enter(ref _writes, ref _maxWrites);
        try
        {
            await Delay(LatencyOf(key), cancellationToken).ConfigureAwait(false);
            inner.Set(key, value.Span);
        }
        finally
        {
            Interlocked.Decrement(ref _writes);
        }
    }

    /// <inheritdoc/>
    public bool Delete(string key) => inner.Delete(key);

    /// <inheritdoc/>
    public IEnumerable<string> List(string prefix) => inner.List(prefix);

    /// <inheritdoc/>
    public long? GetSize(string key) => inner.GetSize(key);

    private IMemoryOwner<byte>? Counted(IMemoryOwner<byte>? value)
    {
        Interlocked.Add(ref _bytesRead, value?.Memory.Length ?? 0);
        return value;
    }

    private static void Enter(ref int count, ref int max)
    {
        int now = Interlocked.Increment(ref count);
        int seen;
        while (now > (seen = Volatile.Read(ref max)) && Interlocked.CompareExchange(ref max, now, seen) != seen)
        {
        }
    }

    private TimeSpan LatencyOf(string key) => Slow is null || Slow(key) ? Latency : TimeSpan.Zero;

    private async Task Delay(TimeSpan latency, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(latency, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref _cancelled);
            throw;
        }
    }

    private void Check(string key)
    {
        if (FailReads?.Invoke(key) == true)
        {
            throw new StoreUnavailableException(Name, $"store '{Name}' failed on '{key}': 503 SlowDown");
        }
    }
}
