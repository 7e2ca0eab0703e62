using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Tests.Storage.Transactions.ObjectStores;

/// <summary>The object-store transaction suite on a <see cref="MemoryStore"/> (conditional writes, no files).</summary>
public sealed class MemoryObjectTransactionTests : ObjectTransactionSuite
{
    private readonly MemoryStore _store = new();

    /// <inheritdoc/>
    protected override IStore Raw => _store;
}
