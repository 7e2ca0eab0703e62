using System.Buffers;
using Microsoft.Win32.SafeHandles;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// A transaction's staged values as files in the staging folder (<c>staging/ID.NAME~</c>: <see cref="StagingArea"/>),
/// locked by a lock file while the transaction lives. Each value is written to a temporary file and renamed, so a staged
/// value is never torn. A joined staging (<see cref="Join"/>) writes into another handle's open transaction: it neither
/// creates, locks nor removes its lock, and flushes each value before renaming it into place (the owner, maybe on
/// another machine, publishes it).
/// </summary>
internal sealed class FileStaging : TransactionStaging
{
    private readonly StagingArea _area;
    private readonly TransactionFiles _files;
    private readonly FileStream? _lock; // null: joined (the owner holds the lock)

    public FileStaging(StagingArea area, TransactionFiles files, string id)
    {
        _area = area;
        _files = files;
        Id = id;
        _lock = area.Create(id);
    }

    private FileStaging(StagingArea area, TransactionFiles files, string id, bool joined)
    {
        _area = area;
        _files = files;
        Id = id;
        if (joined)
        {
            area.Join(id);
        }
    }

    /// <summary>Joins the open transaction <paramref name="id"/> (validated), begun by another handle.</summary>
    /// <exception cref="InvalidOperationException">No live transaction has that id.</exception>
    public static FileStaging Join(StagingArea area, TransactionFiles files, string id) => new(area, files, id, joined: true);

    /// <inheritdoc/>
    public override string Id { get; }

    /// <inheritdoc/>
    public override string HandleOf(string key) => _area.PathOf(Id, key);

    /// <inheritdoc/>
    public override bool Contains(string handle) => FileKinds.Of(handle) == FileKind.Regular;

    /// <inheritdoc/>
    public override IMemoryOwner<byte>? TryRead(string handle) => DirectoryStore.ReadPooled(handle);

    /// <inheritdoc/>
    public override long? TrySize(string handle)
    {
        var info = new FileInfo(handle);
        return info.Exists ? info.Length : null;
    }

    /// <inheritdoc/>
    public override string Write(string key, ReadOnlySpan<byte> value)
    {
        string path = HandleOf(key);
        if (_lock is null && !_area.LockExists(Id))
        {
            throw _area.NotOpen(Id, $"its lock is gone (committed or aborted) while '{key}' was written");
        }

        string temp = LogFolder.NewTempPath(_area.Folder);
        try
        {
            _files.WriteStaged(temp, value);
            if (_lock is null)
            {
                _files.FlushFile(temp); // durable before the owner is told: it may be on another machine
            }

            _files.Rename(temp, path);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
            }

            throw;
        }

        return path;
    }

    /// <inheritdoc/>
    public override IMemoryOwner<byte>? Read(string handle) => DirectoryStore.ReadPooled(handle);

    /// <inheritdoc/>
    public override IMemoryOwner<byte>? ReadRange(string handle, string key, ByteRange range)
    {
        using var file = DirectoryStore.TryOpenFile(handle);
        return file is null ? null : StoreDefaults.ReadRange(file, _area.StoreName, key, range);
    }

    /// <inheritdoc/>
    public override SafeFileHandle? Open(string handle) => DirectoryStore.TryOpenFile(handle);

    /// <inheritdoc/>
    public override long Size(string handle) => new FileInfo(handle).Length;

    /// <inheritdoc/>
    public override void Discard(string handle) => File.Delete(handle);

    /// <inheritdoc/>
    public override void Flush(IReadOnlyCollection<string> handles, CancellationToken cancellationToken)
    {
        // The values of a commit of many: flushed here, outside the commit lock, in parallel (their write-back started
        // when they were staged). A commit of a few flushes them once published instead (VersionedDirectory.Commit).
        // Their staging folder's entries need no flush: the commit renames them and flushes the live directories.
        try
        {
            Parallel.ForEach(handles, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, _files.FlushFile);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
        }
    }

    /// <inheritdoc/>
    public override void Remove()
    {
        if (_lock is not null)
        {
            _area.Remove(Id, _lock); // a joined staging is the owner's to remove
        }
    }
}
