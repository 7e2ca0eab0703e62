using System.Globalization;
using System.Text;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Transactions;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Storage.Transactions;

/// <summary>
/// The commit point of a directory store: the version file's two checked slots, overwritten in turn, and the record
/// file each handle prepares for its next commit, written in place. A small commit makes four flushes (its staged
/// value, its record, the live folder, the version) instead of six; a write torn by a power loss reads as the commit
/// not having happened.
/// </summary>
public sealed class CommitPointTests : IDisposable
{
    private readonly TempDirectory _dir = new("cc-commit-point");

    private string StorePath => _dir.Combine("s.zarr");

    private string Meta => Path.Combine(StorePath, ".chunkcompute");

    private string VersionPath => Path.Combine(Meta, "version");

    public void Dispose() => _dir.Dispose();

    private string RecordPath(long n) => Path.Combine(Meta, "log", n.ToString(CultureInfo.InvariantCulture) + ".json");

    // ------------------------------------------------------------------ the bytes

    [Fact]
    public void Slot_IsOneLineWithTheCrc32OfItsText()
    {
        // The CRC-32 values were computed independently: Python's zlib.crc32(b"v1 0000000000000000005").
        Assert.Equal("v1 0000000000000000005 29f4228b\n", Encoding.ASCII.GetString(VersionSlots.Slot(5)));
        Assert.Equal("v1 0000000000000000006 b0fd7331\n", Encoding.ASCII.GetString(VersionSlots.Slot(6)));
        Assert.Throws<ArgumentOutOfRangeException>(() => VersionSlots.Slot(-1));
    }

    [Fact]
    public void Parse_TakesTheHighestValidSlot_AndSaysWhichItIs()
    {
        var file = VersionSlots.NewFile(7);
        Assert.Equal(VersionSlots.FileLength, file.Length);
        Assert.Equal((7L, 0), VersionSlots.Parse(file));
        VersionSlots.Slot(9).CopyTo(file, VersionSlots.SlotSpan);
        Assert.Equal((9L, 1), VersionSlots.Parse(file));
        VersionSlots.Slot(12).CopyTo(file, 0);
        Assert.Equal((12L, 0), VersionSlots.Parse(file));
        Assert.Equal((long.MaxValue, 0), VersionSlots.Parse(WithSlot(VersionSlots.NewFile(1), 0, long.MaxValue)));
    }

    [Theory]
    [InlineData("digit")] // a changed digit: the check no longer matches
    [InlineData("tail")] // the second half of the slot never reached the disk
    [InlineData("head")] // the first half did not
    [InlineData("spaces")] // nothing of it did (the sector as it was before its first write)
    public void Parse_OfASlotTornWhileWritten_ReadsTheOtherSlot(string tear)
    {
        var file = WithSlot(VersionSlots.NewFile(40), 1, 41);
        Assert.Equal((41L, 1), VersionSlots.Parse(file));
        var slot = file.AsSpan(VersionSlots.SlotSpan, 32);
        switch (tear)
        {
            case "digit":
                slot[20] = (byte)'2';
                break;
            case "tail":
                slot[16..].Clear();
                break;
            case "head":
                slot[..16].Clear();
                break;
            default:
                slot.Fill((byte)' ');
                break;
        }

        Assert.Equal((40L, 0), VersionSlots.Parse(file));
    }

    [Fact]
    public void Parse_OfTheFormatBefore_AndOfJunk()
    {
        Assert.Equal((17L, -1), VersionSlots.Parse("17\n"u8));
        Assert.Equal((0L, -1), VersionSlots.Parse("0"u8));
        Assert.Null(VersionSlots.Parse("twelve"u8));
        Assert.Null(VersionSlots.Parse("-3\n"u8));
        Assert.Null(VersionSlots.Parse("+3\n"u8));
        Assert.Null(VersionSlots.Parse(""u8));
        Assert.Null(VersionSlots.Parse(new byte[VersionSlots.FileLength + 1])); // neither format
        var blank = VersionSlots.NewFile(3);
        blank.AsSpan(0, 32).Fill((byte)' ');
        Assert.Null(VersionSlots.Parse(blank)); // no slot holds a version
    }

    // ------------------------------------------------------------------ through a store

    [Fact]
    public void Commits_OverwriteTheSlotsInTurn_InAFileThatKeepsItsSize()
    {
        using var store = ZarrStore.Open(StorePath);
        var x = store.CreateArray<int>("x", [8], [2]);
        int? lastSlot = null;
        for (int i = 0; i < 4; i++)
        {
            x.Write(new ArraySubset([2 * i], [2]), [i, i]);
            var bytes = File.ReadAllBytes(VersionPath);
            Assert.Equal(VersionSlots.FileLength, bytes.Length);
            var (version, slot) = VersionSlots.Parse(bytes)!.Value;
            Assert.Equal(store.Version, version);
            Assert.NotEqual(lastSlot, slot);
            lastSlot = slot;
        }

        using var other = ZarrStore.OpenExisting(StorePath);
        Assert.Equal([0, 0, 1, 1, 2, 2, 3, 3], other.OpenArray<int>("x").Read());
    }

    [Fact]
    public void VersionFileOfTheFormatBefore_IsRead_AndReplacedByTheNextCommit()
    {
        long version = CreateStoreWithX();

        File.WriteAllText(VersionPath, version.ToString(CultureInfo.InvariantCulture) + "\n"); // as earlier builds wrote it
        using (var store = ZarrStore.OpenExisting(StorePath))
        {
            Assert.Equal(version, store.Version);
            Assert.Equal([1, 2, 3, 4], store.OpenArray<int>("x").Read());
            store.OpenArray<int>("x").Write(new ArraySubset([0], [2]), [9, 9]);
            Assert.Equal(version + 1, store.Version);
        }

        Assert.Equal((version + 1, 0), VersionSlots.Parse(File.ReadAllBytes(VersionPath)));
        using var again = ZarrStore.OpenExisting(StorePath);
        Assert.Equal([9, 9, 3, 4], again.OpenArray<int>("x").Read());
    }

    [Fact]
    public void VersionWriteTornByAPowerLoss_RollsThatCommitBack_AndNumbersMoveOn()
    {
        long before, torn;
        using (var store = ZarrStore.Open(StorePath))
        {
            var x = store.CreateArray<int>("x", [4], [2]);
            x.Write([1, 1, 1, 1]);
            before = store.Version!.Value;
            x.Write([2, 2, 2, 2]);
            torn = store.Version!.Value;
        }

        // The last commit's slot, as a power loss in the middle of its write leaves it: its record is on disk
        // ('preparing' above the version the other slot holds), its values were published.
        var bytes = File.ReadAllBytes(VersionPath);
        int slot = VersionSlots.Parse(bytes)!.Value.Slot;
        bytes.AsSpan((slot * VersionSlots.SlotSpan) + 12, 12).Clear();
        File.WriteAllBytes(VersionPath, bytes);

        using (var store = ZarrStore.OpenExisting(StorePath))
        {
            Assert.Equal(before, store.Version);
            Assert.Equal([1, 1, 1, 1], store.OpenArray<int>("x").Read());
            Assert.Equal(CommitRecord.Aborted, CommitRecord.Parse(File.ReadAllBytes(RecordPath(torn)))!.State);
            var report = store.Verify();
            Assert.True(report.IsSound, string.Join("; ", report.Problems));
            store.OpenArray<int>("x").Write(new ArraySubset([3], [1]), [5]);
            Assert.Equal(torn + 1, store.Version); // record numbers are never reused
        }

        using var again = ZarrStore.OpenExisting(StorePath);
        Assert.Equal([1, 1, 1, 5], again.OpenArray<int>("x").Read());
    }

    [Fact]
    public void SecondCommitOfAHandle_WritesItsRecordInPlace_WithFourFlushes()
    {
        var ops = new List<string>();
        var files = new FaultyFiles
        {
            Counting = what =>
            {
                lock (ops)
                {
                    ops.Add(what);
                }

                return false;
            },
        };
        using var store = ZarrStore.Open(StorePath, new ZarrStoreOptions { TransactionFiles = files });
        var x = store.CreateArray<int>("x", [8], [2]);
        files.Arm(int.MaxValue); // records every operation, fails none

        x.Write(new ArraySubset([0], [2]), [1, 2]); // a new chunk through a handle whose last commit prepared the record
        long first = store.Version!.Value;
        string[] firstOps = [.. ops];
        ops.Clear();
        x.Write(new ArraySubset([2], [2]), [3, 4]);
        long second = store.Version!.Value;
        Assert.Equal(first + 1, second);

        Assert.Contains($"overwrite {RecordPath(second)}", ops);
        Assert.Contains($"flush data {RecordPath(second)}", ops);
        Assert.DoesNotContain(ops, o => o.StartsWith("rename ", StringComparison.Ordinal) && o.Contains(Path.Combine(Meta, "log"), StringComparison.Ordinal));
        Assert.DoesNotContain(ops, o => o == $"rename {VersionPath}");
        Assert.Contains($"overwrite {VersionPath}", ops);
        var flushes = ops.Where(o => o.StartsWith("flush", StringComparison.Ordinal) || o.StartsWith("fsync ", StringComparison.Ordinal) || o.StartsWith("write ", StringComparison.Ordinal)).ToList();
        Assert.True(flushes.Count == 4, string.Join("; ", flushes)); // the staged value, the record, the chunk's folder, the version
        Assert.Contains(firstOps, o => o == $"overwrite {RecordPath(first)}"); // the array's creation prepared it

        // The chunk's data is flushed once it is in place (a crash before the version is written rolls it back anyway).
        string sep = Path.DirectorySeparatorChar.ToString();
        int rename = ops.FindIndex(o => o.StartsWith("rename ", StringComparison.Ordinal) && o.Contains(sep + "x" + sep, StringComparison.Ordinal));
        Assert.True(rename >= 0, string.Join("; ", ops));
        int flushLive = ops.IndexOf("flush " + ops[rename]["rename ".Length..]);
        Assert.True(rename < flushLive && flushLive < ops.IndexOf($"overwrite {VersionPath}"), string.Join("; ", ops));

        using var other = ZarrStore.OpenExisting(StorePath);
        Assert.Equal([1, 2, 3, 4, 0, 0, 0, 0], other.OpenArray<int>("x").Read());
    }

    [Fact]
    public void RecordCutShortWhileWrittenInPlace_IsRemovedOnOpen()
    {
        long version = CreateStoreWithX();

        // The prepared record of the next commit, with the start of a record in it: the commit's flush never returned.
        string next = RecordPath(version + 1);
        Assert.True(File.ReadAllBytes(next).All(b => b == (byte)' '), "the commit prepared the next record blank");
        var cut = Encoding.ASCII.GetBytes("{\"number\":" + (version + 1).ToString(CultureInfo.InvariantCulture) + ",\"parent\":");
        using (var fs = new FileStream(next, FileMode.Open, FileAccess.Write))
        {
            fs.Write(cut);
        }

        using (var store = ZarrStore.OpenExisting(StorePath))
        {
            Assert.False(File.Exists(next) && File.ReadAllBytes(next).AsSpan().StartsWith(cut), "the torn record was removed");
            Assert.Equal(version, store.Version);
            var report = store.Verify();
            Assert.True(report.IsSound, string.Join("; ", report.Problems));
            store.OpenArray<int>("x").Write(new ArraySubset([0], [1]), [7]);
            Assert.Equal(version + 1, store.Version);
        }

        using var again = ZarrStore.OpenExisting(StorePath);
        Assert.Equal([7, 2, 3, 4], again.OpenArray<int>("x").Read());
        Assert.Equal(version + 1, CommitRecord.Parse(File.ReadAllBytes(next))!.Number);
    }

    [Fact]
    public void AnotherHandleTakingThePreparedNumber_IsSafe_ForBoth()
    {
        using var first = ZarrStore.Open(StorePath);
        var x1 = first.CreateArray<int>("x", [6], [2]);
        x1.Write(new ArraySubset([0], [2]), [1, 1]); // prepares the next record for `first`
        long v = first.Version!.Value;

        using (var second = ZarrStore.OpenExisting(StorePath))
        {
            second.OpenArray<int>("x").Write(new ArraySubset([2], [2]), [2, 2]); // takes number v + 1 the slower way
            Assert.Equal(v + 1, second.Version);
        }

        x1.Write(new ArraySubset([4], [2]), [3, 3]); // number v + 2: not the one `first` prepared
        Assert.Equal(v + 2, first.Version);
        Assert.Equal(v + 1, CommitRecord.Parse(File.ReadAllBytes(RecordPath(v + 1)))!.Number);
        Assert.Equal(v + 2, CommitRecord.Parse(File.ReadAllBytes(RecordPath(v + 2)))!.Number);

        using var check = ZarrStore.OpenExisting(StorePath);
        Assert.Equal([1, 1, 2, 2, 3, 3], check.OpenArray<int>("x").Read());
        var report = check.Verify();
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
    }

    [Fact]
    public void Collection_KeepsThePreparedRecord_WhichTheNextCommitFillsInPlace()
    {
        using var store = ZarrStore.Open(StorePath);
        var x = store.CreateArray<int>("x", [4], [2]);
        x.Write([1, 2, 3, 4]);
        long v = store.Version!.Value;
        store.CollectGarbage();
        Assert.True(File.ReadAllBytes(RecordPath(v + 1)).All(b => b == (byte)' '), "the prepared record was kept blank");
        var report = store.Verify();
        Assert.True(report.IsSound, string.Join("; ", report.Problems));

        x.Write(new ArraySubset([0], [1]), [9]);
        Assert.Equal(v + 1, store.Version);
        var bytes = File.ReadAllBytes(RecordPath(v + 1));
        Assert.Equal(RecordLog.PreparedLength, bytes.Length); // filled in place: the spaces after the record remain
        Assert.Equal(v + 1, CommitRecord.Parse(bytes)!.Number);
        using var other = ZarrStore.OpenExisting(StorePath);
        Assert.Equal([9, 2, 3, 4], other.OpenArray<int>("x").Read());
    }

    [Fact]
    public void CommitsWithoutFlushes_OpenNothingToFlush()
    {
        // Durable = false: every flush step is skipped, so flushing what does not exist succeeds; the real steps fail.
        string missing = _dir.Combine("missing", "x");
        TransactionFiles.WithoutFlush.SyncDirectory(missing);
        TransactionFiles.WithoutFlush.FlushFile(missing);
        TransactionFiles.WithoutFlush.FlushPrepared(missing, missing);
        Assert.ThrowsAny<IOException>(() => TransactionFiles.Real.SyncDirectory(missing));
        Assert.ThrowsAny<IOException>(() => TransactionFiles.Real.FlushFile(missing));
        Assert.ThrowsAny<IOException>(() => TransactionFiles.Real.FlushPrepared(missing, missing));

        using var store = ZarrStore.Open(StorePath, new ZarrStoreOptions { Durable = false });
        var x = store.CreateArray<int>("x", [4], [2]);
        x.Write([1, 2, 3, 4]);
        x.Write(new ArraySubset([0], [1]), [5]);
        using var other = ZarrStore.OpenExisting(StorePath);
        Assert.Equal([5, 2, 3, 4], other.OpenArray<int>("x").Read());
    }

    // A store holding x = [1, 2, 3, 4] (chunks of 2), closed; returns its version.
    private long CreateStoreWithX()
    {
        using var store = ZarrStore.Open(StorePath);
        store.CreateArray<int>("x", [4], [2]).Write([1, 2, 3, 4]);
        return store.Version!.Value;
    }

    private static byte[] WithSlot(byte[] file, int slot, long version)
    {
        VersionSlots.Slot(version).CopyTo(file, slot * VersionSlots.SlotSpan);
        return file;
    }
}
