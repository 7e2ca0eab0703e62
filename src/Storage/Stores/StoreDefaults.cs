using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace ChunkCompute.Storage.Stores;

/// <summary>The default implementations behind <see cref="IStore"/>'s optional members, and shared range reads.</summary>
internal static class StoreDefaults
{
    /// <summary>
    /// Runs a synchronous store member as a completed <see cref="ValueTask{TResult}"/>: no allocation, a cancelled token
    /// gives a cancelled task, and an exception a faulted one (as a real async call would report it).
    /// </summary>
    public static ValueTask<TResult> Run<TArg, TResult>(IStore store, TArg arg, Func<IStore, TArg, TResult> call, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TResult>(cancellationToken);
        }

        try
        {
            return new ValueTask<TResult>(call(store, arg));
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<TResult>(ex);
        }
    }

    /// <summary>The exception for an optional operation a store does not offer.</summary>
    public static NotSupportedException Unsupported(IStore store, StoreCapabilities capability, string operation) =>
        new($"store '{store.Name}' ({store.GetType().Name}) does not support {operation}: it lacks StoreCapabilities.{capability} (its capabilities: {store.Capabilities}); check IStore.Capabilities before calling it");

    /// <summary>A conditional copy through this process: read with the version, compare, create if absent.</summary>
    public static CopyOutcome CopyIfAbsent(IStore store, string source, string sourceVersion, string destination)
    {
        ArgumentNullException.ThrowIfNull(sourceVersion);
        if (store.Exists(destination))
        {
            return CopyOutcome.DestinationExists;
        }

        if (store.GetVersioned(source) is not { } current || current.Version != sourceVersion)
        {
            return CopyOutcome.SourceChanged;
        }

        return store.SetIfAbsent(destination, current.Value.Span) ? CopyOutcome.Copied : CopyOutcome.DestinationExists;
    }

    /// <summary>A read-only store's refusal of a write.</summary>
    public static NotSupportedException ReadOnly(IStore store, string key, string detail) =>
        new($"cannot write '{key}': store '{store.Name}' is read-only ({detail})");

    /// <summary>A range cut out of the whole value (the default when a store cannot read ranges itself).</summary>
    public static IMemoryOwner<byte>? SliceWhole(IStore store, string key, ByteRange range)
    {
        var whole = store.GetPooled(key);
        if (whole is null)
        {
            return null;
        }

        try
        {
            var (offset, length) = range.Resolve(whole.Memory.Length, store.Name, key);
            if (offset == 0 && length == whole.Memory.Length)
            {
                var result = whole;
                whole = null;
                return result;
            }

            var owner = new ArrayPoolOwner((int)length);
            whole.Memory.Span.Slice((int)offset, (int)length).CopyTo(owner.Memory.Span);
            return owner;
        }
        finally
        {
            whole?.Dispose();
        }
    }

    /// <summary>A range of a file-backed value read at its offset, or null when the key does not exist.</summary>
    public static IMemoryOwner<byte>? ReadFileRange(IFileValueStore files, string storeName, string key, ByteRange range)
    {
        using var handle = files.OpenValue(key);
        return handle is null ? null : ReadRange(handle, storeName, key, range);
    }

    /// <summary>A range of an open file holding <paramref name="key"/>'s value.</summary>
    public static IMemoryOwner<byte> ReadRange(SafeFileHandle handle, string storeName, string key, ByteRange range)
    {
        var (offset, length) = range.Resolve(RandomAccess.GetLength(handle), storeName, key);
        return ReadAt(handle, offset, length, key);
    }

    /// <summary>
    /// Reads <paramref name="length"/> bytes at <paramref name="offset"/> of an open file into pooled memory (one read
    /// per call in the usual case, no intermediate array). <paramref name="what"/> names the file in errors.
    /// </summary>
    public static ArrayPoolOwner ReadAt(SafeFileHandle handle, long offset, long length, string what)
    {
        if (length > Array.MaxLength)
        {
            throw new IOException($"'{what}': a read of {length} bytes is over the {Array.MaxLength}-byte limit of one value or range");
        }

        var owner = new ArrayPoolOwner((int)length);
        try
        {
            var span = owner.Memory.Span;
            int total = 0;
            while (total < span.Length)
            {
                int n = RandomAccess.Read(handle, span[total..], offset + total);
                if (n == 0)
                {
                    throw new IOException($"'{what}' shrank while being read ({total} of {length} bytes at offset {offset})");
                }

                total += n;
            }

            return owner;
        }
        catch
        {
            owner.Dispose();
            throw;
        }
    }

    /// <summary>The listing prefix of a directory-style prefix: <c>"a/b"</c> → <c>"a/b/"</c>, <c>""</c> → <c>""</c>.</summary>
    public static string DirectoryPrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        string trimmed = prefix.Trim('/');
        return trimmed.Length == 0 ? string.Empty : trimmed + "/";
    }

    /// <summary>The distinct first segments below <paramref name="prefix"/> of keys listed under it.</summary>
    public static IEnumerable<string> ListDirectory(IEnumerable<string> keys, string prefix)
    {
        int start = DirectoryPrefix(prefix).Length;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            int slash = key.IndexOf('/', start);
            names.Add(slash < 0 ? key[start..] : key[start..slash]);
        }

        return names;
    }

    /// <summary>One ordinal-ordered page of <paramref name="keys"/> after the token (the last key of the previous page).</summary>
    public static StoreListPage Page(IEnumerable<string> keys, string? continuationToken, int maxKeys)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxKeys);
        var after = continuationToken is null
            ? keys.ToList()
            : keys.Where(k => string.CompareOrdinal(k, continuationToken) > 0).ToList();
        after.Sort(StringComparer.Ordinal);
        if (after.Count <= maxKeys)
        {
            return new StoreListPage(after, null);
        }

        var page = after.GetRange(0, maxKeys);
        return new StoreListPage(page, page[^1]);
    }
}
