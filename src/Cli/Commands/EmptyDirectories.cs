namespace ChunkCompute.Cli.Commands;

/// <summary>Removes the empty directories a directory store leaves behind after deleting a failed array's keys.</summary>
internal static class EmptyDirectories
{
    /// <summary>Deletes <paramref name="path"/> under <paramref name="storeDirectory"/> if it holds no files at all.</summary>
    public static void RemoveIfEmpty(string storeDirectory, string path)
    {
        if (path.Length == 0)
        {
            return;
        }

        string directory = Path.Combine(storeDirectory, path);
        try
        {
            if (Directory.Exists(directory) && !Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Any())
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: an empty directory is not an array, so readers do not see it.
        }
    }
}
