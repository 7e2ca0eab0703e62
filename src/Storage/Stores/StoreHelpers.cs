using System.Buffers;
using System.Runtime.CompilerServices;

namespace ChunkCompute.Storage.Stores;

/// <summary>
/// What store implementations share (the object stores in their own assemblies use these): values in pooled memory
/// (the storage layer's buffer pools, so large values do not pin per-thread caches), and whole listings walked through
/// a store's pages.
/// </summary>
public static class StoreHelpers
{
    /// <summary>A pooled buffer of exactly <paramref name="length"/> bytes; dispose it to return the memory.</summary>
    public static IMemoryOwner<byte> Rent(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new ArrayPoolOwner(length);
    }

    /// <summary>Every key under <paramref name="prefix"/>, page by page through <see cref="IStore.ListPageAsync"/>.</summary>
    public static IEnumerable<string> ListByPages(IStore store, string prefix)
    {
        ArgumentNullException.ThrowIfNull(store);
        string? token = null;
        do
        {
            var pending = store.ListPageAsync(prefix, token);
            var page = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
            foreach (var key in page.Keys)
            {
                yield return key;
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
    }

    /// <summary>Every key under <paramref name="prefix"/>, page by page, asynchronously.</summary>
    public static async IAsyncEnumerable<string> ListByPagesAsync(IStore store, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        string? token = null;
        do
        {
            var page = await store.ListPageAsync(prefix, token, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var key in page.Keys)
            {
                yield return key;
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
    }
}
