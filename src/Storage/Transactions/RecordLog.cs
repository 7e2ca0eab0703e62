using System.Globalization;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// The commit records on disk, <c>log/N.json</c>: written durably (to a temporary name, flushed, renamed, folder
/// flushed) before a commit changes anything, rewritten as aborted by a rollback, deleted by a collection.
/// </summary>
internal sealed class RecordLog
{
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

    /// <summary>Record <paramref name="number"/>, or null when it was collected (or never written).</summary>
    /// <exception cref="InvalidMetadataException">The record is not valid JSON.</exception>
    public CommitRecord? Read(long number)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(PathOf(number));
        }
        catch (FileNotFoundException)
        {
            return null; // collected
        }

        return CommitRecord.Parse(bytes)
            ?? throw new InvalidMetadataException(_folder.StoreName, $"{VersionedDirectory.FolderName}/log/{number}.json", "the commit record is not valid JSON");
    }

    /// <summary>Writes (or rewrites) a record durably.</summary>
    public void Write(CommitRecord record)
    {
        string temp = LogFolder.NewTempPath(_folder.Log);
        _files.WriteDurable(temp, record.ToJson());
        _files.Rename(temp, PathOf(record.Number));
        _files.SyncDirectory(_folder.Log);
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

    private string PathOf(long number) => Path.Combine(_folder.Log, number.ToString(CultureInfo.InvariantCulture) + ".json");
}
