using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// The temporary on-disk Zarr array of an out-of-core rechunk: created when the first chunk is written, deleted when
/// the last target chunk has been read (and, after a failed run, when the process exits).
/// </summary>
internal sealed class IntermediateStore
{
    private readonly Lock _lock = new();
    private readonly DataType _dataType;
    private readonly long[] _shape;
    private readonly int[] _chunks;
    private readonly string _root;
    private ZarrStore? _store;
    private ZarrArray? _array;
    private string? _directory;
    private long _readsDone;

    public IntermediateStore(DataType dataType, long[] shape, int[] chunks, string? root)
    {
        _dataType = dataType;
        _shape = shape;
        _chunks = chunks;
        _root = root ?? Path.GetTempPath();
    }

    public int[] Chunks => _chunks;

    public ZarrArray Array
    {
        get
        {
            lock (_lock)
            {
                if (_array is null)
                {
                    _directory = Path.Combine(_root, "chunkcompute-rechunk-" + Guid.NewGuid().ToString("N"));
                    string directory = _directory;
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(directory);
                    _store = ZarrStore.Open(_directory, new ZarrStoreOptions { ChunkCacheBytes = 0, MaxConcurrency = 1, Transactional = false });
                    _array = _store.CreateArray("intermediate", _dataType, _shape, _chunks, new ArrayOptions { Compression = Compression.Default });
                }

                return _array;
            }
        }
    }

    /// <summary>Counts a finished read; after the last of <paramref name="total"/>, deletes the intermediate.</summary>
    public void ReadDone(long total)
    {
        if (Interlocked.Increment(ref _readsDone) < total)
        {
            return;
        }

        lock (_lock)
        {
            _store?.Dispose();
            if (_directory is not null)
            {
                TryDelete(_directory);
            }

            _store = null;
            _array = null;
            _directory = null;
            _readsDone = 0;
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
