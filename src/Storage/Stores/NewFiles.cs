namespace ChunkCompute.Storage.Stores;

/// <summary>Opens files to be written whole, without the truncation that makes ext4 flush them when they are closed.</summary>
internal static class NewFiles
{
    /// <summary>
    /// Creates <paramref name="path"/> for writing, or replaces it when it exists. A new file is opened with
    /// <see cref="FileMode.CreateNew"/>: <see cref="FileMode.Create"/> truncates even a new file, and ext4 then starts
    /// writing its data back when it is closed and waits for the blocks to be allocated (its replace-by-truncate
    /// heuristic, <c>auto_da_alloc</c>): 0.10–0.27 s per close of a 512 MiB file, 0.06 ms with CreateNew
    /// (bench/analysis/create-close/run.sh).
    /// </summary>
    public static FileStream Create(string path, int bufferSize)
    {
        try
        {
            return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize, FileOptions.None);
        }
        catch (IOException) when (File.Exists(path))
        {
            return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize, FileOptions.None);
        }
    }
}
