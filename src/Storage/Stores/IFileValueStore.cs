using Microsoft.Win32.SafeHandles;

namespace ChunkCompute.Storage.Stores;

/// <summary>
/// A store whose values are files, so a value can be read in ranges instead of whole: a chunk reader then copies
/// each Blosc block out of the page cache into a small, cache-resident buffer just before decoding it, instead of
/// copying the whole compressed chunk into a large buffer first.
/// </summary>
internal interface IFileValueStore
{
    /// <summary>
    /// Opens the file holding <paramref name="key"/>'s value for reading (its content never changes: values are
    /// replaced by renaming a new file over them), or returns null when the key does not exist.
    /// </summary>
    SafeFileHandle? OpenValue(string key);

    /// <summary>False when this store's values are not files after all (a snapshot of an object store): read them whole.</summary>
    bool OpensFiles => true;
}
