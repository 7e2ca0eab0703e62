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
    /// <param name="path">The file.</param>
    /// <param name="bufferSize">The stream's buffer (1: none).</param>
    /// <param name="length">
    /// The bytes about to be written, when known: they are allocated up front (<c>fallocate</c> with
    /// <c>FALLOC_FL_KEEP_SIZE</c> on Linux, so the length still grows only as bytes are written). ext4 then reserves no
    /// delayed-allocation block per 4 KiB page during the writes, ~25 % of a 512 MiB buffered write's time
    /// (NumPy's <c>tofile</c> does the same; bench/analysis/npy_save.md, bench/analysis/prealloc). Only from 1 MiB.
    /// </param>
    public static FileStream Create(string path, int bufferSize, long length = 0)
    {
        try
        {
            return new FileStream(path, Options(FileMode.CreateNew, bufferSize, length));
        }
        catch (IOException) when (File.Exists(path))
        {
            return new FileStream(path, Options(FileMode.Create, bufferSize, length));
        }
    }

    private static FileStreamOptions Options(FileMode mode, int bufferSize, long length) => new()
    {
        Mode = mode,
        Access = FileAccess.Write,
        Share = FileShare.None,
        BufferSize = bufferSize,
        Options = FileOptions.None,
        PreallocationSize = length >= PreallocateFrom ? length : 0,
    };

    // Below this a write reserves few blocks, and an allocated (unwritten) extent would add an extent conversion to
    // the journal of a small file flushed at commit.
    private const long PreallocateFrom = 1 << 20;
}
