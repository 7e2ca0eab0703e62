using System.Buffers;
using ChunkCompute.Storage.Stores;
using Microsoft.Win32.SafeHandles;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// A transaction's staged values on an object store, as keys under its staging prefix in the store itself (so that a
/// finisher can publish them if the writer dies after its commit point).
/// </summary>
internal sealed class ObjectStaging(IStore store, string prefix, string id) : TransactionStaging
{
    /// <summary>True once the staged values may belong to a commit: the log, not the transaction, removes them.</summary>
    public bool Retained { get; set; }

    /// <summary>True once the commit was published (publishing removed the values).</summary>
    public bool Published { get; set; }

    public override string Id => id;

    public override string Write(string key, ReadOnlySpan<byte> value)
    {
        string staged = prefix + key + VersionedDirectory.LogFileSuffix;
        store.Set(staged, value);
        return staged;
    }

    public override async ValueTask<string> WriteAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        string staged = prefix + key + VersionedDirectory.LogFileSuffix;
        await store.SetAsync(staged, value, cancellationToken).ConfigureAwait(false);
        return staged;
    }

    public override IMemoryOwner<byte>? Read(string handle) => store.GetPooled(handle)
        ?? throw new IOException($"store '{store.Name}': the staged value '{handle}' of transaction {id} is missing");

    public override async ValueTask<IMemoryOwner<byte>?> ReadAsync(string handle, CancellationToken cancellationToken) =>
        await store.GetPooledAsync(handle, cancellationToken).ConfigureAwait(false)
        ?? throw new IOException($"store '{store.Name}': the staged value '{handle}' of transaction {id} is missing");

    public override IMemoryOwner<byte>? ReadRange(string handle, string key, ByteRange range) => store.GetRangePooled(handle, range);

    public override SafeFileHandle? Open(string handle) => null;

    public override long Size(string handle) => store.GetSize(handle)
        ?? throw new IOException($"store '{store.Name}': the staged value '{handle}' of transaction {id} is missing");

    public override void Discard(string handle) => store.Delete(handle);

    public override void Flush(IReadOnlyCollection<string> handles, CancellationToken cancellationToken)
    {
        // each staged value was written whole by one request: nothing to flush
    }

    public override void Remove()
    {
        if (Retained || Published)
        {
            return; // committed: the commit's publisher removes (or removed) them
        }

        try
        {
            foreach (var key in store.List(prefix).ToList())
            {
                store.Delete(key);
            }
        }
        catch (Exception ex) when (ex is IOException or StoreUnavailableException)
        {
            // left for `gc` (the staging of a transaction whose pin is gone)
        }
    }
}
