using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// The commit records on disk, <c>log/N.json</c>: written durably before a commit changes anything — into the blank
/// file the committing handle prepared after its previous commit (one flush), else to a temporary name, flushed,
/// renamed, folder flushed — rewritten as aborted by a rollback, deleted by a collection.
/// </summary>
internal sealed class RecordLog
{
    /// <summary>The length of a prepared (blank) record file: one page, more than a small commit's record.</summary>
    public const int PreparedLength = 4096;

    private readonly LogFolder _folder;
    private readonly TransactionFiles _files;

    public RecordLog(LogFolder folder, TransactionFiles files)
    {
        _folder = folder;
        _files = files;
    }

    /// <summary>The numbers of the records on disk, in no particular order.</summary>
    public IEnumerable<long> Numbers()
    {
        foreach (var file in LogFolder.Entries(_folder.Log).Where(f => f.EndsWith(".json", StringComparison.Ordinal)))
        {
            if (long.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out long n))
            {
                yield return n;
            }
        }
    }

    /// <summary>Record <paramref name="number"/>, or null when it was collected or is still blank (prepared, unused).</summary>
    /// <exception cref="InvalidMetadataException">The record is not valid JSON.</exception>
    public CommitRecord? Read(long number) =>
        TryRead(number, out var record) ? record : throw Unreadable(number);

    /// <summary>
    /// Reads record <paramref name="number"/>: false when the file holds something that is not a record (a record whose
    /// writing in place a crash cut short, or a damaged one); otherwise <paramref name="record"/> is the record, or null
    /// when it was collected or is still blank.
    /// </summary>
    public bool TryRead(long number, out CommitRecord? record)
    {
        record = null;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(PathOf(number));
        }
        catch (FileNotFoundException)
        {
            return true; // collected
        }

        if (IsBlank(bytes))
        {
            return true;
        }

        record = CommitRecord.Parse(bytes);
        return record is not null;
    }

    /// <summary>The error for a record that does not parse.</summary>
    public InvalidMetadataException Unreadable(long number) =>
        new(_folder.StoreName, $"{VersionedDirectory.FolderName}/log/{number}.json", "the commit record is not valid JSON");

    /// <summary>Writes (or rewrites) a record durably: to a temporary name, flushed, renamed, the folder flushed.</summary>
    public void Write(CommitRecord record)
    {
        string temp = LogFolder.NewTempPath(_folder.Log);
        _files.WriteDurable(temp, record.ToJson());
        _files.Rename(temp, PathOf(record.Number));
        _files.SyncDirectory(_folder.Log);
    }

    /// <summary>
    /// Creates the blank file of record <paramref name="number"/> for the commit that will take that number; returns the
    /// flush that makes it durable with the folder's entries (<see cref="TransactionFiles.FlushPrepared"/>), to run in the
    /// background. Fails when the file exists.
    /// </summary>
    public Action Prepare(long number)
    {
        string path = PathOf(number);
        _files.CreatePrepared(path, PreparedLength);
        return () => _files.FlushPrepared(path, _folder.Log);
    }

    /// <summary>
    /// Writes a record into its blank file made by <see cref="Prepare"/> and flushes its data: one flush, no rename and
    /// no folder flush (the name is on disk already). False, having written nothing, when the file is missing or not
    /// blank. JSON allows the spaces left after the record.
    /// </summary>
    public bool TryWritePrepared(CommitRecord record)
    {
        string path = PathOf(record.Number);
        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException)
        {
            return false;
        }

        using (file)
        {
            long length = RandomAccess.GetLength(file);
            if (length != PreparedLength)
            {
                return false;
            }

            var blank = new byte[PreparedLength];
            if (RandomAccess.Read(file, blank, 0) != PreparedLength || !IsBlank(blank))
            {
                return false;
            }

            _files.Overwrite(file, path, 0, record.ToJson());
            _files.FlushData(file, path);
            return true;
        }
    }

    /// <summary>Deletes a record (a collection), ignoring failures.</summary>
    public void Delete(long number) => LogFolder.TryDeleteFile(PathOf(number));

    /// <summary>Deletes temporary files a killed writer left in the log folder.</summary>
    public void RemoveTemporaries()
    {
        foreach (var temp in LogFolder.Entries(_folder.Log).Where(f => Path.GetFileName(f).StartsWith(LogFolder.TempPrefix, StringComparison.Ordinal)))
        {
            LogFolder.TryDeleteFile(temp);
        }
    }

    // Spaces only (or nothing): a record file prepared for a commit that has not written it.
    private static bool IsBlank(ReadOnlySpan<byte> bytes) => bytes.IndexOfAnyExcept((byte)' ') < 0;

    private string PathOf(long number) => Path.Combine(_folder.Log, number.ToString(CultureInfo.InvariantCulture) + ".json");
}
