namespace ChunkCompute.Storage.Stores;

/// <summary>
/// A synchronous listing as an <see cref="IAsyncEnumerable{T}"/> whose steps complete synchronously (no task per key);
/// the listing is produced when enumeration starts, and either token cancels it between keys.
/// </summary>
internal sealed class SyncAsyncEnumerable(Func<IEnumerable<string>> source, CancellationToken listingToken) : IAsyncEnumerable<string>
{
    public IAsyncEnumerator<string> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        var token = cancellationToken.CanBeCanceled ? cancellationToken : listingToken;
        token.ThrowIfCancellationRequested();
        return new Enumerator(source().GetEnumerator(), token, listingToken);
    }

    private sealed class Enumerator(IEnumerator<string> inner, CancellationToken first, CancellationToken second) : IAsyncEnumerator<string>
    {
        public string Current => inner.Current;

        public ValueTask<bool> MoveNextAsync()
        {
            if (first.IsCancellationRequested || second.IsCancellationRequested)
            {
                return ValueTask.FromCanceled<bool>(first.IsCancellationRequested ? first : second);
            }

            try
            {
                return new ValueTask<bool>(inner.MoveNext());
            }
            catch (Exception ex)
            {
                return ValueTask.FromException<bool>(ex);
            }
        }

        public ValueTask DisposeAsync()
        {
            inner.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
