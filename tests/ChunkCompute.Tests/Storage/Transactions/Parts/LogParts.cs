using ChunkCompute.Storage.Stores;
using ChunkCompute.Storage.Transactions;
using ChunkCompute.Tests.Interop;

namespace ChunkCompute.Tests.Storage.Transactions.Parts;

/// <summary>A store folder with an empty transaction log, for the unit tests of the log's parts.</summary>
internal sealed class LogParts : IDisposable
{
    private readonly TempDirectory _dir = new("cc-log-parts");

    public LogParts()
    {
        Live = new DirectoryStore(_dir.Combine("s.zarr"));
        Folder = new LogFolder(Live.Name, Live.Root);
        Directory.CreateDirectory(Folder.Meta);
        foreach (var dir in Folder.Folders)
        {
            Directory.CreateDirectory(dir);
        }
    }

    public DirectoryStore Live { get; }

    public LogFolder Folder { get; }

    /// <summary>Another process's hold on a lock file (a second open file description: the kernel lock conflicts).</summary>
    public static FileStream HoldLock(string path) => new(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

    /// <summary>A commit record writing (or deleting) keys; <c>existed</c> per key.</summary>
    public static CommitRecord Record(long number, params (string Key, bool Existed)[] entries) => new()
    {
        Number = number,
        Parent = number - 1,
        Transaction = "t" + number,
        Time = DateTime.UnixEpoch,
        Entries = [.. entries.Select(e => new CommitEntry(e.Key, false, e.Existed))],
    };

    public void Dispose() => _dir.Dispose();
}
