using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// The log's two counters. <c>version</c> is the latest published commit: a text file replaced by a rename, which is
/// the commit point. <c>seq</c> is the highest record number whose publishing may have begun: 8 bytes written in
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
    /// <exception cref="InvalidMetadataException">The version file does not hold a version number.</exception>
    public long ReadVersion()
    {
        string text;
        try
        {
            if (_folder.ReadFile(_folder.VersionPath) is not { } bytes)
            {
                return 0;
            }

            text = System.Text.Encoding.ASCII.GetString(bytes);
        }
        catch (FileNotFoundException)
        {
            return 0;
        }

        if (!long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long v))
        {
            throw new InvalidMetadataException(_folder.StoreName, VersionedDirectory.FolderName + "/version", $"'{text.Trim()}' is not a version number");
        }

        return v;
    }

    /// <summary>
    /// Publishes <paramref name="version"/>. Once the rename is done the version is published (other processes may
    /// already read it), so a failure to flush the folder afterwards does not undo it; the next commit's flush covers it.
    /// </summary>
    public void WriteVersion(long version)
    {
        string temp = LogFolder.NewTempPath(_folder.Meta);
        _files.WriteDurable(temp, System.Text.Encoding.ASCII.GetBytes(version.ToString(CultureInfo.InvariantCulture) + "\n"));
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
