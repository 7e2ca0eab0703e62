using System.Buffers;
using System.Security.Cryptography;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// A store that lacks some conditional writes, given them by checking before writing
/// (<see cref="ZarrStoreOptions.SingleWriter"/>): a condition is read, then the write is made, which is correct only
/// while no other process writes the store. Where the store underneath has a conditional operation it is used as is;
/// where it has no versions, a value's version is the SHA-256 of its bytes.
/// </summary>
internal sealed class SingleWriterStore(IStore inner) : IStore
{
    private readonly StoreCapabilities _own = inner.Capabilities;

    public string Name => inner.Name;

    public StoreCapabilities Capabilities => _own | ObjectVersionLog.Needed;

    private bool Has(StoreCapabilities c) => _own.HasFlag(c);

    public IMemoryOwner<byte>? GetPooled(string key) => inner.GetPooled(key);

    public IMemoryOwner<byte>? GetRangePooled(string key, ByteRange range) => inner.GetRangePooled(key, range);

    public void Set(string key, ReadOnlySpan<byte> value) => inner.Set(key, value);

    public bool Delete(string key) => inner.Delete(key);

    public bool Exists(string key) => inner.Exists(key);

    public IEnumerable<string> List(string prefix) => inner.List(prefix);

    public IEnumerable<string> ListDirectory(string prefix) => inner.ListDirectory(prefix);

    public long? GetSize(string key) => inner.GetSize(key);

    public bool SetIfAbsent(string key, ReadOnlySpan<byte> value)
    {
        if (Has(StoreCapabilities.ConditionalCreate))
        {
            return inner.SetIfAbsent(key, value);
        }

        if (inner.Exists(key))
        {
            return false;
        }

        inner.Set(key, value);
        return true;
    }

    public VersionedValue? GetVersioned(string key)
    {
        if (Has(StoreCapabilities.ConditionalUpdate))
        {
            return inner.GetVersioned(key);
        }

        var value = inner.Get(key);
        return value is null ? null : new VersionedValue(value, Hash(value));
    }

    public string? GetVersion(string key) => Has(StoreCapabilities.ConditionalUpdate) ? inner.GetVersion(key) : GetVersioned(key)?.Version;

    public string? SetIfVersion(string key, ReadOnlySpan<byte> value, string expectedVersion)
    {
        if (Has(StoreCapabilities.ConditionalUpdate))
        {
            return inner.SetIfVersion(key, value, expectedVersion);
        }

        if (GetVersion(key) != expectedVersion)
        {
            return null;
        }

        inner.Set(key, value);
        return Hash(value);
    }

    public bool DeleteIfVersion(string key, string expectedVersion)
    {
        if (Has(StoreCapabilities.ConditionalDelete))
        {
            return inner.DeleteIfVersion(key, expectedVersion);
        }

        return GetVersion(key) == expectedVersion && inner.Delete(key);
    }

    public CopyOutcome CopyIfAbsent(string source, string sourceVersion, string destination) =>
        Has(StoreCapabilities.ServerSideCopy | StoreCapabilities.ConditionalUpdate | StoreCapabilities.ConditionalCreate)
            ? inner.CopyIfAbsent(source, sourceVersion, destination)
            : StoreDefaults.CopyIfAbsent(this, source, sourceVersion, destination);

    private static string Hash(ReadOnlySpan<byte> value) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(value));
}
