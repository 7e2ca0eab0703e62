using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// The log's two counters. <c>version</c> is the latest published commit, the commit point: two checked slots
/// overwritten in turn (<see cref="VersionSlots"/>). <c>seq</c> is the highest record number whose publishing may have begun: 8 bytes written in
/// place, read by every snapshot read after reading a live value (so it is kept open). Opening the seq file for
/// writing also tells whether this process can write the log at all.
/// </summary>
internal sealed class LogCounters : IDisposable
{
    private readonly LogFolder _folder;
    private readonly TransactionFiles _files;
    private readonly SafeFileHandle? _seqHandle;

    /// <summary>Opens the seq file (creating it when the log is writable).</summary>
    /// <exception cref="UnsafeStoreEntryException">The seq file is a link, folder or special file.</exception>
    public LogCounters(LogFolder folder, TransactionFiles files)
    {
        _folder = folder;
        _files = files;
        folder.RequireFile(folder.SeqPath);
        try
        {
            _seqHandle = File.OpenHandle(folder.SeqPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            // Read-only here (a read-only mount, another user's store): reads work, commits are refused.
            IsReadOnly = true;
            _seqHandle = File.Exists(folder.SeqPath) ? File.OpenHandle(folder.SeqPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete) : null;
        }
    }

    /// <summary>True when this process cannot write the log.</summary>
    public bool IsReadOnly { get; }

    /// <summary>The latest committed version (0 when no version file exists yet).</summary>
    /// <exception cref="InvalidMetadataException">The version file holds no valid version.</exception>
    public long ReadVersion() => ReadVersionFile()?.Version ?? 0;

    /// <summary>The latest committed version and the slot holding it (-1: the one-number format before), or null when there is no file yet.</summary>
    /// <exception cref="InvalidMetadataException">The version file holds no valid version.</exception>
    public (long Version, int Slot)? ReadVersionFile()
    {
        byte[] bytes;
        try
        {
            if (_folder.ReadFile(_folder.VersionPath) is not { } read)
            {
                return null;
            }

            bytes = read;
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        return VersionSlots.Parse(bytes) ?? throw new InvalidMetadataException(
            _folder.StoreName,
            VersionedDirectory.FolderName + "/version",
            bytes.Length == VersionSlots.FileLength
                ? "neither of its two slots holds a valid version (a check does not match)"
                : $"'{System.Text.Encoding.ASCII.GetString(bytes, 0, Math.Min(bytes.Length, 40)).Trim()}' is not a version number");
    }

    /// <summary>
    /// Publishes <paramref name="version"/> (under the commit lock): overwrites the slot of the version file that does
    /// not hold <paramref name="current"/> (what <see cref="ReadVersionFile"/> read under the same lock) and flushes its
    /// data. Once the bytes are written the version is published (other processes may already read it), so a failure to
    /// flush afterwards does not undo it. A log without the file, or with the one-number format before, gets a new file
    /// (renamed over the old one).
    /// </summary>
    public void WriteVersion(long version, (long Version, int Slot)? current)
    {
        if (current is { Slot: >= 0 })
        {
            using var file = File.OpenHandle(_folder.VersionPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            _files.Overwrite(file, _folder.VersionPath, (1 - current.Value.Slot) * VersionSlots.SlotSpan, VersionSlots.Slot(version));
            try
            {
                _files.FlushData(file, _folder.VersionPath);
            }
            catch (IOException)
            {
                // published; durability against power loss waits for the next flush
            }

            return;
        }

        string temp = LogFolder.NewTempPath(_folder.Meta);
        _files.WriteDurable(temp, VersionSlots.NewFile(version));
        _files.Rename(temp, _folder.VersionPath);
        try
        {
            _files.SyncDirectory(_folder.Meta);
        }
        catch (IOException)
        {
            // published; durability against power loss waits for the next flush
        }
    }

    /// <summary>The highest record number whose record is on disk and whose publishing may have begun.</summary>
    public long ReadSeq()
    {
        if (_seqHandle is null)
        {
            return 0; // a read-only log without a seq file: no commit was ever begun
        }

        Span<byte> b = stackalloc byte[8];
        int n = RandomAccess.Read(_seqHandle, b, 0);
        return n < 8 ? 0 : BinaryPrimitives.ReadInt64LittleEndian(b);
    }

    /// <summary>
    /// Raises seq. Not flushed: after a power loss, recovery raises seq to the highest record on disk (records are
    /// flushed).
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">The log is read-only here.</exception>
    public void WriteSeq(long seq)
    {
        if (_seqHandle is null || IsReadOnly)
        {
            throw _folder.ReadOnlyError("seq");
        }

        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, seq);
        RandomAccess.Write(_seqHandle, b, 0);
    }

    /// <summary>Closes the seq file.</summary>
    public void Dispose() => _seqHandle?.Dispose();
}
