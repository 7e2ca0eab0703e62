namespace ChunkCompute.Storage;

/// <summary>
/// A writer joined to another handle's open transaction (<see cref="ZarrStore.JoinTransaction"/>): arrays opened from
/// <see cref="Store"/> read the transaction's staged values over the latest version, and their writes are staged in the
/// transaction. Nothing is published until the owner adopts <see cref="WrittenKeys"/>
/// (<see cref="Transaction.AdoptStaged"/>) and commits. Joined writers only add values: deleting through it is refused.
/// </summary>
/// <example>
/// <code>
/// // a worker, given the coordinator's transaction id:
/// using var store = ZarrStore.Open("data.zarr");
/// using var writer = store.JoinTransaction(transactionId);
/// writer.Store.OpenArray&lt;float&gt;("x").WriteRegion(...);
/// reply(writer.WrittenKeys);              // the coordinator: tx.AdoptStaged(keys); tx.Commit();
/// </code>
/// </example>
public sealed class TransactionWriter : IDisposable
{
    private readonly Transactions.JoinedTransactionView _view;

    internal TransactionWriter(ZarrStore store, Transactions.JoinedTransactionView view)
    {
        Store = store;
        _view = view;
    }

    /// <summary>The joined hierarchy: open arrays from it and write regions or chunks; valid until disposed.</summary>
    public ZarrStore Store { get; }

    /// <summary>The id of the joined transaction.</summary>
    public string TransactionId => _view.Id;

    /// <summary>The keys staged through this writer so far, sorted, without duplicates: what the owner adopts.</summary>
    public IReadOnlyCollection<string> WrittenKeys => _view.WrittenKeys;

    /// <summary>Releases this writer's handle on the store's version; never removes what it staged (the owner does).</summary>
    public void Dispose() => _view.Release();

    /// <inheritdoc/>
    public override string ToString() => _view.ToString();
}
