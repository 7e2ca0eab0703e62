namespace ChunkCompute.Cli.Commands;

/// <summary>
/// Writes a user's file outside the store all or nothing: into a temporary file in the destination's directory,
/// renamed over the destination only when the write succeeded. A failed or cancelled write deletes the temporary file
/// and leaves an existing destination as it was.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Runs <paramref name="write"/> on a temporary path next to <paramref name="path"/>, then renames it into place.</summary>
    public static void Write(string path, Action<string> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new IOException($"'{path}' is a directory");
        }

        string directory = Path.GetDirectoryName(full) ?? ".";
        string temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            write(temp);
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
