using ChunkCompute.Storage;
using ChunkCompute.Storage.Transactions;
using Xunit;

namespace ChunkCompute.Tests.Storage.Transactions.Parts;

/// <summary>The records on disk and their index by key: what changed a key after a version.</summary>
public sealed class RecordIndexTests : IDisposable
{
    private readonly LogParts _log = new();
    private readonly RecordLog _records;
    private long _seq;

    public RecordIndexTests() => _records = new RecordLog(_log.Folder, TransactionFiles.WithoutFlush);

    public void Dispose() => _log.Dispose();

    [Fact]
    public void RecordLog_RoundTrips_ListsNumbers_AndReadsACollectedRecordAsNull()
    {
        _records.Write(LogParts.Record(1, ("a", false)));
        _records.Write(LogParts.Record(2, ("a", true), ("b", false)));
        Assert.Equal([1L, 2L], _records.Numbers().Order());
        var two = _records.Read(2)!;
        Assert.Equal(CommitRecord.Preparing, two.State);
        Assert.Equal(["a", "b"], two.Entries.Select(e => e.Key));

        _records.Delete(1);
        Assert.Null(_records.Read(1));
        File.WriteAllText(Path.Combine(_log.Folder.Log, "3.json"), "{ not json");
        var ex = Assert.Throws<InvalidMetadataException>(() => _records.Read(3));
        Assert.Contains("3.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ChangesAfter_AreTheLaterCommitsOfThatKey_OldestFirst()
    {
        _records.Write(LogParts.Record(1, ("a", false)));
        _records.Write(LogParts.Record(2, ("b", false)));
        _records.Write(LogParts.Record(3, ("a", true)));
        _seq = 3;
        var index = new RecordIndex(_records, () => _seq);

        Assert.Equal([new RecordIndex.KeyChange(1, false), new RecordIndex.KeyChange(3, true)], index.ChangesAfter("a", 0));
        Assert.Equal([new RecordIndex.KeyChange(3, true)], index.ChangesAfter("a", 1));
        Assert.Empty(index.ChangesAfter("a", 3));
        Assert.Empty(index.ChangesAfter("zzz", 0));
    }

    [Fact]
    public void RecordsAboveSeq_AreNotSeen_UntilSeqIsRaised_AndAbortedOnesChangedNothing()
    {
        _records.Write(LogParts.Record(1, ("a", false)));
        _seq = 1;
        var index = new RecordIndex(_records, () => _seq);
        Assert.Single(index.ChangesAfter("a", 0));

        // Record 2 is written (preparing) but its publishing has not begun: seq still says 1.
        _records.Write(LogParts.Record(2, ("a", true)));
        Assert.Empty(index.ChangesAfter("a", 1));

        var aborted = LogParts.Record(3, ("a", true));
        aborted.State = CommitRecord.Aborted;
        _records.Write(aborted);
        _seq = 3;
        Assert.Equal([new RecordIndex.KeyChange(2, true)], index.ChangesAfter("a", 1));
    }

    [Fact]
    public void FirstChangesAfter_GivesEachKeyUnderThePrefix_ItsFirstLaterChange()
    {
        _records.Write(LogParts.Record(1, ("x/c/0", false), ("y/c/0", false)));
        _records.Write(LogParts.Record(2, ("x/c/0", true), ("x/c/1", false)));
        _seq = 2;
        var index = new RecordIndex(_records, () => _seq);

        Assert.Equal([("x/c/0", false), ("x/c/1", false)], index.FirstChangesAfter("x/", 0).OrderBy(c => c.Key, StringComparer.Ordinal));
        Assert.Equal([("x/c/0", true), ("x/c/1", false)], index.FirstChangesAfter("x/", 1).OrderBy(c => c.Key, StringComparer.Ordinal));
        Assert.Empty(index.FirstChangesAfter("x/", 2));
    }
}
