namespace ChunkCompute.Storage.Stores;

/// <summary>Validation and joining of store keys and node paths.</summary>
public static class StoreKeys
{
    /// <summary>
    /// Normalizes a node path as Zarr does: '\' becomes '/', leading/trailing and repeated '/' are removed.
    /// Empty means the root.
    /// </summary>
    /// <exception cref="ArgumentException">A segment is '.' or '..', or a name ChunkCompute reserves.</exception>
    public static string NormalizePath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parts = path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        foreach (var p in parts)
        {
            if (p is "." or "..")
            {
                throw new ArgumentException($"path '{path}' contains a '{p}' segment, which Zarr does not allow", nameof(path));
            }

            if (IsReserved(p))
            {
                throw new ArgumentException($"path '{path}' contains '{p}', a name ChunkCompute reserves for its own files (the transaction log '{LogFolder}', temporary '.ccw-*.tmp' files)", nameof(path));
            }
        }

        return string.Join('/', parts);
    }

    /// <summary>The hidden folder of a directory store's transaction log.</summary>
    internal const string LogFolder = ".chunkcompute";

    /// <summary>
    /// True for a name no node or key may have: the log folder (in any letter case, for case-insensitive file systems)
    /// and the temporary files of atomic writes.
    /// </summary>
    public static bool IsReserved(string segment) =>
        segment.Equals(LogFolder, StringComparison.OrdinalIgnoreCase)
        || (segment.StartsWith(".ccw-", StringComparison.Ordinal) && segment.EndsWith(".tmp", StringComparison.Ordinal));

    /// <summary>Joins a node path and a key below it (<c>Join("a/b", ".zarray")</c> = <c>a/b/.zarray</c>).</summary>
    public static string Join(string path, string key) => path.Length == 0 ? key : path + "/" + key;

    /// <summary>
    /// Validates a key of a store that is not a file system (memory, object stores): as <see cref="Validate"/>, except
    /// that a key may start with the transaction log's prefix (<c>.chunkcompute/</c>), where an object store's log lives
    /// beside the Zarr keys. Node paths and a transaction's keys are still checked with <see cref="Validate"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The key is empty, absolute, or has '.', '..', empty or reserved segments.</exception>
    public static void ValidateObjectKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        Validate(key.StartsWith(LogFolder + "/", StringComparison.Ordinal) && key.Length > LogFolder.Length + 1 ? key[(LogFolder.Length + 1)..] : key);
    }

    /// <summary>Validates a full key before it touches a file system.</summary>
    /// <exception cref="ArgumentException">The key is empty, absolute, or has '.', '..', empty or reserved segments.</exception>
    public static void Validate(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key[0] == '/' || key.Contains('\\', StringComparison.Ordinal) || key.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"store key '{key}' must be a relative '/'-separated path", nameof(key));
        }

        foreach (var segment in key.Split('/'))
        {
            if (segment.Length == 0 || segment is "." or "..")
            {
                throw new ArgumentException($"store key '{key}' has an empty, '.' or '..' segment", nameof(key));
            }

            if (IsReserved(segment))
            {
                throw new ArgumentException($"store key '{key}' has the segment '{segment}', a name ChunkCompute reserves for its own files", nameof(key));
            }
        }
    }
}
