using System.Buffers;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Tests.Storage.Transactions.ObjectStores;

/// <summary>How a <see cref="FaultyObjectStore"/> fails request number <see cref="FaultyObjectStore.FailAt"/>.</summary>
public enum ObjectFault
{
    /// <summary>That request fails before reaching the store; later ones work (a dropped connection, retried).</summary>
    OnceBefore,

    /// <summary>That request is carried out but its answer is lost (the caller sees an error); later ones work.</summary>
    OnceAfter,

    /// <summary>That request and every later one fail (the network stays down, or the process died there).</summary>
    DownFrom,
}

/// <summary>
/// An object store (conditional writes, no files) in front of a <see cref="MemoryStore"/> that numbers every request
/// once armed and fails one or all from request <see cref="FailAt"/> on, as a network or a killed writer would.
/// </summary>
public sealed class FaultyObjectStore(MemoryStore inner) : IStore
{
    private int _requests;

    /// <summary>The request (0-based, counted from <see cref="Arm"/>) that fails; -1: none.</summary>
    public int FailAt { get; private set; } = -1;

    /// <summary>How it fails.</summary>
    public ObjectFault Fault { get; private set; }

    /// <summary>Requests made since armed.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Starts counting requests, failing request <paramref name="failAt"/> as <paramref name="fault"/> says.</summary>
    public void Arm(int failAt, ObjectFault fault)
    {
        Volatile.Write(ref _requests, 0);
        Fault = fault;
        FailAt = failAt;
    }

    public string Name => "faulty://" + inner.Name;

    public StoreCapabilities Capabilities => inner.Capabilities;

    private T Call<T>(string key, Func<T> request)
    {
        int n = Interlocked.Increment(ref _requests) - 1;
        bool fails = FailAt >= 0 && (Fault == ObjectFault.DownFrom ? n >= FailAt : n == FailAt);
        if (fails && Fault != ObjectFault.OnceAfter)
        {
            throw new IOException($"injected: request {n} ({key}) failed before reaching the store");
        }

        var result = request();
        if (fails)
        {
            throw new IOException($"injected: the answer to request {n} ({key}) was lost");
        }

        return result;
    }

    public IMemoryOwner<byte>? GetPooled(string key) => Call(key, () => inner.GetPooled(key));

    public IMemoryOwner<byte>? GetRangePooled(string key, ByteRange range) => Call(key, () => inner.GetRangePooled(key, range));

    public void Set(string key, ReadOnlySpan<byte> value)
    {
        byte[] copy = value.ToArray();
        Call(key, () =>
        {
            inner.Set(key, copy);
            return 0;
        });
    }

    public bool Delete(string key) => Call(key, () => inner.Delete(key));

    public bool Exists(string key) => Call(key, () => inner.Exists(key));

    public IEnumerable<string> List(string prefix) => Call(prefix, () => inner.List(prefix));

    public long? GetSize(string key) => Call(key, () => inner.GetSize(key));

    public bool SetIfAbsent(string key, ReadOnlySpan<byte> value)
    {
        byte[] copy = value.ToArray();
        return Call(key, () => inner.SetIfAbsent(key, copy));
    }

    public VersionedValue? GetVersioned(string key) => Call(key, () => inner.GetVersioned(key));

    public string? GetVersion(string key) => Call(key, () => inner.GetVersion(key));

    public string? SetIfVersion(string key, ReadOnlySpan<byte> value, string expectedVersion)
    {
        byte[] copy = value.ToArray();
        return Call(key, () => inner.SetIfVersion(key, copy, expectedVersion));
    }

    public bool DeleteIfVersion(string key, string expectedVersion) => Call(key, () => inner.DeleteIfVersion(key, expectedVersion));

    public CopyOutcome CopyIfAbsent(string source, string sourceVersion, string destination) =>
        Call(source, () => inner.CopyIfAbsent(source, sourceVersion, destination));
}
