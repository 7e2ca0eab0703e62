using ChunkCompute.Storage;
using ChunkCompute.Storage.Transactions;
using Xunit;

namespace ChunkCompute.Tests.Storage.Transactions.Parts;

/// <summary>Staged files of live and dead transactions, and what a collection removes.</summary>
public sealed class StagingAndCollectorTests : IDisposable
{
    private readonly LogParts _log = new();
    private readonly LogCounters _counters;
    private readonly RecordLog _records;
    private readonly PreImages _preImages;
    private readonly StagingArea _staging;
    private readonly LogTrash _trash;
    private readonly Collector _collector;

    public StagingAndCollectorTests()
    {
        _counters = new LogCounters(_log.Folder, TransactionFiles.WithoutFlush);
        _records = new RecordLog(_log.Folder, TransactionFiles.WithoutFlush);
        _preImages = new PreImages(_log.Folder, _log.Live);
        _staging = new StagingArea(_log.Folder);
        _trash = new LogTrash(_log.Folder);
        _collector = new Collector(_log.Folder, _counters, _records, _preImages, _staging, _trash);
    }

    public void Dispose()
    {
        _counters.Dispose();
        _log.Dispose();
    }

    [Fact]
    public void LiveTransactionsStaging_IsKept_ADeadOnesIsMovedToTheTrash()
    {
        var liveLock = _staging.Create("live");
        File.WriteAllBytes(_staging.PathOf("live", "x/c/0"), [9]);
        var deadLock = _staging.Create("dead");
        File.WriteAllBytes(_staging.PathOf("dead", "x/c/0"), [1, 2, 3]);
        File.WriteAllBytes(_staging.PathOf("dead", "x/c/1"), [4]);
        deadLock.Dispose(); // its process died: the kernel released the lock, the files stay
        Directory.CreateDirectory(Path.Combine(_log.Folder.Staging, "nolock", "x")); // the folder layout of earlier logs
        Assert.Equal(Path.Combine(_log.Folder.Staging, "dead.x%2Fc%2F0~"), _staging.PathOf("dead", "x/c/0"));

        var (live, orphaned) = _staging.Inspect();
        Assert.Equal(1, live);
        Assert.Equal(["dead.*", "nolock"], orphaned.Order(StringComparer.Ordinal));

        Assert.Equal(2, _staging.RemoveAbandoned(_trash));
        Assert.True(File.Exists(_staging.PathOf("live", "x/c/0")));
        Assert.False(File.Exists(_staging.PathOf("dead", "x/c/0")));
        Assert.False(File.Exists(Path.Combine(_log.Folder.Staging, "dead.lock")));
        Assert.False(Directory.Exists(Path.Combine(_log.Folder.Staging, "nolock")));
        Assert.Equal(3, Directory.GetFileSystemEntries(_log.Folder.Trash).Length); // two files and a folder, moved whole

        _trash.Empty(readOnly: false);
        Assert.Empty(Directory.GetFileSystemEntries(_log.Folder.Trash));

        _staging.Remove("live", liveLock);
        Assert.Empty(Directory.GetFileSystemEntries(_log.Folder.Staging));
    }

    [Fact]
    public void Collection_RemovesRecordsAndPreImagesAtOrBelowTheOldestLivePin_Only()
    {
        for (long n = 1; n <= 4; n++)
        {
            _records.Write(LogParts.Record(n, ("a", true)));
            File.WriteAllBytes(_preImages.PathOf(n, "a"), [(byte)n]); // flat: pre/N.a~
        }

        _counters.WriteVersion(4, _counters.ReadVersionFile());
        using var pin = new PinRegistry(_log.Folder);
        Assert.True(pin.TryCreate(2));
        File.WriteAllBytes(Path.Combine(_log.Folder.Pins, "dead@1"), []);

        var result = _collector.CollectLocked();
        Assert.Equal(new CollectResult(PreImageVersions: 2, Records: 2, DeadPins: 1, OrphanedStagings: 0, Horizon: 2), result);
        Assert.Equal([3L, 4L], _records.Numbers().Order());
        Assert.Null(_preImages.Find(2, "a"));
        Assert.Equal(_preImages.PathOf(3, "a"), _preImages.Find(3, "a"));

        pin.Dispose();
        result = _collector.CollectLocked();
        Assert.Equal(new CollectResult(2, 2, 0, 0, 4), result);
        Assert.Empty(_records.Numbers());
    }

    [Fact]
    public void PreImage_WrittenBeforeTheSuffix_IsStillFound()
    {
        string legacy = Path.Combine(_log.Folder.Pre, "5", "x", ".zarray"); // pre/N/KEY: the folder layout before the suffix
        Directory.CreateDirectory(Path.GetDirectoryName(legacy)!);
        File.WriteAllText(legacy, "{}");
        Assert.Equal(legacy, _preImages.Find(5, "x/.zarray"));
        Assert.Null(_preImages.Find(6, "x/.zarray"));
    }

    [Fact]
    public void Counters_ReadWhatWasWritten_AndABadVersionFileIsNamed()
    {
        Assert.Equal(0, _counters.ReadVersion());
        Assert.Equal(0, _counters.ReadSeq());
        _counters.WriteVersion(12, _counters.ReadVersionFile()); // a new file: slot 0
        _counters.WriteSeq(13);
        Assert.Equal(12, _counters.ReadVersion());
        Assert.Equal(13, _counters.ReadSeq());
        _counters.WriteVersion(13, _counters.ReadVersionFile()); // in place: slot 1
        Assert.Equal((13L, 1), _counters.ReadVersionFile());

        File.WriteAllText(_log.Folder.VersionPath, "twelve");
        var ex = Assert.Throws<InvalidMetadataException>(() => _counters.ReadVersion());
        Assert.Contains("'twelve' is not a version number", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LinkInPlaceOfALogFile_IsRefused_AndNeverFollowed()
    {
        string elsewhere = Path.Combine(_log.Live.Root, "..", "elsewhere");
        Directory.CreateDirectory(elsewhere);
        File.WriteAllText(Path.Combine(elsewhere, "precious"), "keep");
        Directory.Delete(_log.Folder.Trash);
        Directory.CreateSymbolicLink(_log.Folder.Trash, elsewhere);

        var ex = Assert.Throws<UnsafeStoreEntryException>(() => _trash.Empty(readOnly: false));
        Assert.Contains("symbolic link", ex.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(elsewhere, "precious")));

        File.CreateSymbolicLink(_log.Folder.VersionPath, Path.Combine(elsewhere, "precious"));
        Assert.Throws<UnsafeStoreEntryException>(() => _counters.ReadVersion());
        Assert.True(LogFolder.IsAbandoned(_log.Folder.VersionPath), "a link is nobody's lock");
    }
}
