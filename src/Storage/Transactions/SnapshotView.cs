using System.Buffers;
using Microsoft.Win32.SafeHandles;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// A read-only view of a transactional store at one committed version: what every array opened from a
/// <see cref="ZarrStore"/> reads through, so a long computation sees one version while other processes commit.
/// </summary>
internal sealed class SnapshotView : IStore, IFileValueStore
{
    private readonly IVersionLog _directory;

    internal SnapshotView(IVersionLog directory, long version)
    {
        _directory = directory;
        Version = version;
    }

    /// <summary>The committed version this view reads.</summary>
    public long Version { get; }

    /// <summary>
    /// True once its holder moved on (a store refreshed, an array rewrote, a transaction ended): the view no longer
    /// holds back collection, even before the garbage collector reclaims it.
    /// </summary>
    public bool IsReleased { get; private set; }

    /// <summary>Stops this view from holding back collection of the pre-images it reads.</summary>
    public void Release() => IsReleased = true;

    /// <summary>A new view of the same version for another holder (each holder releases its own).</summary>
    public SnapshotView Share() => _directory.OpenAt(Version);

    /// <summary>The transaction log.</summary>
    public IVersionLog Directory => _directory;

    /// <inheritdoc/>
    public string Name => _directory.Name;

    /// <summary>Listable, with byte ranges read from the version's values; read-only (writes go through commits).</summary>
    public StoreCapabilities Capabilities => StoreCapabilities.Listable | StoreCapabilities.ByteRanges | (_directory.RemoteRequests ? StoreCapabilities.RemoteRequests : 0);

    /// <inheritdoc/>
    public bool OpensFiles => _directory.OpensFiles;

    /// <inheritdoc/>
    public byte[]? Get(string key)
    {
        using var owner = GetPooled(key);
        return owner?.Memory.ToArray();
    }

    /// <inheritdoc/>
    public IMemoryOwner<byte>? GetPooled(string key) => _directory.Get(key, Version);

    /// <inheritdoc/>
    public ValueTask<IMemoryOwner<byte>?> GetPooledAsync(string key, CancellationToken cancellationToken = default) => _directory.GetAsync(key, Version, cancellationToken);

    /// <inheritdoc/>
    public IMemoryOwner<byte>? GetRangePooled(string key, ByteRange range) => _directory.GetRange(key, range, Version);

    /// <inheritdoc/>
    public SafeFileHandle? OpenValue(string key) => _directory.Open(key, Version);

    /// <inheritdoc/>
    public bool Exists(string key) => _directory.Exists(key, Version);

    /// <inheritdoc/>
    public long? GetSize(string key) => _directory.GetSize(key, Version);

    /// <inheritdoc/>
    public IEnumerable<string> List(string prefix) => _directory.List(prefix, Version);

    /// <inheritdoc/>
    public IEnumerable<string> ListDirectory(string prefix) => _directory.ListDirectory(prefix, Version);

    /// <inheritdoc/>
    public void Set(string key, ReadOnlySpan<byte> value) => throw ReadOnly(key);

    /// <inheritdoc/>
    public bool Delete(string key) => throw ReadOnly(key);

    private NotSupportedException ReadOnly(string key) =>
        StoreDefaults.ReadOnly(this, key, $"a snapshot of version {Version}; write through the ZarrStore/ZarrArray methods or a transaction (store.BeginTransaction())");

    /// <inheritdoc/>
    public override string ToString() => $"{Name}@{Version}";
}
