using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// The file operations the commit protocol is made of, in one seam: every step of a commit is one of these, so a test
/// can inject an I/O error (or a full disk) at the Nth step and check that the store is left as it was.
/// </summary>
internal class TransactionFiles
{
    /// <summary>The default, real implementation: large staged values are written directly to the device where it can.</summary>
    public static readonly TransactionFiles Real = new();

    /// <summary>The real operations with every value written through the page cache (<c>ZarrStoreOptions.DirectWrites</c> false).</summary>
    public static readonly TransactionFiles Buffered = new(directWrites: false);

    private readonly bool _directWrites;

    /// <summary>Creates the real operations; <paramref name="directWrites"/> as <see cref="Real"/> or <see cref="Buffered"/>.</summary>
    public TransactionFiles(bool directWrites = true) => _directWrites = directWrites;

    /// <summary>
    /// The real operations without any flush to disk: commits stay atomic against killed processes (the page cache
    /// survives them) but not against power loss or a kernel crash, like stores written without a log.
    /// </summary>
    public static readonly TransactionFiles WithoutFlush = new NoFlush();

    private sealed class NoFlush() : TransactionFiles(directWrites: false)
    {
        public override void WriteDurable(string path, ReadOnlySpan<byte> bytes)
        {
            using var fs = Stores.NewFiles.Create(path, 1, bytes.Length);
            fs.Write(bytes);
        }

        public override void WriteStaged(string path, ReadOnlySpan<byte> bytes) => WriteDurable(path, bytes);

        public override void FlushFile(string path)
        {
        }

        public override void FlushData(SafeFileHandle file, string path)
        {
        }

        public override void FlushPrepared(string path, string folder)
        {
        }

        public override void SyncDirectory(string path)
        {
        }
    }

    /// <summary>Writes a whole file (creating or replacing it in place) and flushes it to disk.</summary>
    public virtual void WriteDurable(string path, ReadOnlySpan<byte> bytes)
    {
        using var fs = Stores.NewFiles.Create(path, 1, bytes.Length);
        fs.Write(bytes);
        fs.Flush(flushToDisk: true);
    }

    /// <summary>
    /// Writes a staged value (creating or replacing the file) and starts its write-back to disk without waiting for it;
    /// <see cref="FlushFile"/> before the commit then finds little left to wait for.
    /// </summary>
    public virtual void WriteStaged(string path, ReadOnlySpan<byte> bytes)
    {
        if (_directWrites && bytes.Length >= DirectFileWriter.MinBytes && DirectFileWriter.TryWriteNew(path, bytes))
        {
            return; // on the device already: the flush before the commit finds nothing to write back
        }

        using var fs = Stores.NewFiles.Create(path, 1, bytes.Length);
        fs.Write(bytes);
        fs.Flush(flushToDisk: false);
        if (OperatingSystem.IsLinux() && bytes.Length > 0)
        {
            bool added = false;
            fs.SafeFileHandle.DangerousAddRef(ref added);
            try
            {
                _ = Posix.SyncFileRange((int)fs.SafeFileHandle.DangerousGetHandle(), 0, 0, Posix.SyncFileRangeWrite);
            }
            catch (EntryPointNotFoundException)
            {
                // not Linux glibc: the flush before the commit does all of it
            }
            finally
            {
                if (added)
                {
                    fs.SafeFileHandle.DangerousRelease();
                }
            }
        }
    }

    /// <summary>Waits until a file's data is on disk (fsync).</summary>
    public virtual void FlushFile(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        fs.Flush(flushToDisk: true);
    }

    /// <summary>Overwrites bytes of an existing file in place, without flushing them (<see cref="FlushData"/> does).</summary>
    public virtual void Overwrite(SafeFileHandle file, string path, long offset, ReadOnlySpan<byte> bytes) => RandomAccess.Write(file, bytes, offset);

    /// <summary>
    /// Waits until a file's data, and its length when that changed, is on disk: <c>fdatasync</c> on Linux, which for
    /// bytes overwritten in place within the file's length writes no journal entry (only the data); a full flush
    /// elsewhere.
    /// </summary>
    public virtual void FlushData(SafeFileHandle file, string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(file);
            return;
        }

        bool added = false;
        file.DangerousAddRef(ref added);
        try
        {
            if (Posix.Fdatasync((int)file.DangerousGetHandle()) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new IOException($"cannot flush '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
            }
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Creates a file of <paramref name="length"/> spaces that must not exist yet, not flushed: a file made ready ahead
    /// of its use (the next commit's record), which <see cref="FlushPrepared"/> then makes durable in the background, so
    /// that filling it in place needs one flush of its data.
    /// </summary>
    /// <exception cref="IOException">The file exists or could not be written.</exception>
    public virtual void CreatePrepared(string path, int length)
    {
        using var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        fs.Write(Blank(length));
    }

    /// <summary>Flushes a file made by <see cref="CreatePrepared"/> and its folder's entries (<paramref name="folder"/>).</summary>
    public virtual void FlushPrepared(string path, string folder)
    {
        using (var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete))
        {
            RandomAccess.FlushToDisk(file);
        }

        FlushDirectory(folder); // not the commit step SyncDirectory: this runs beside the commits, not as one of their steps
    }

    private static byte[] Blank(int length)
    {
        var bytes = new byte[length];
        bytes.AsSpan().Fill((byte)' ');
        return bytes;
    }

    /// <summary>Renames <paramref name="source"/> to <paramref name="destination"/>, replacing it atomically.</summary>
    public virtual void Rename(string source, string destination) => File.Move(source, destination, overwrite: true);

    /// <summary>
    /// Makes <paramref name="link"/> a second name of <paramref name="existing"/> (a hard link: O(1), no data copied);
    /// falls back to a durable copy where the file system has no hard links.
    /// </summary>
    /// <exception cref="IOException"><paramref name="link"/> exists or the link failed.</exception>
    public virtual void HardLink(string existing, string link)
    {
        if (!OperatingSystem.IsWindows())
        {
            if (Posix.Link(existing, link) == 0)
            {
                return;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == Posix.EExist)
            {
                throw new IOException($"cannot link '{existing}' to '{link}': the target exists");
            }

            if (errno != Posix.EXDev && errno != Posix.EPerm && errno != Posix.ENotSup && errno != Posix.ENoSys)
            {
                throw new IOException($"cannot link '{existing}' to '{link}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
            }
        }

        File.Copy(existing, link, overwrite: false);
        using var fs = new FileStream(link, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        fs.Flush(flushToDisk: true);
    }

    /// <summary>Deletes a file if it exists.</summary>
    public virtual void Delete(string path) => File.Delete(path);

    /// <summary>Creates a directory and its parents.</summary>
    public virtual void CreateDirectory(string path) => Directory.CreateDirectory(path);

    /// <summary>Flushes a directory's entries (new, renamed, removed names) to disk.</summary>
    public virtual void SyncDirectory(string path) => FlushDirectory(path);

    private static void FlushDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // NTFS journals metadata; there is no directory handle to flush
        }

        int fd = Posix.Open(path, Posix.ORdOnly | Posix.ODirectory, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"cannot open directory '{path}' to flush it: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }

        try
        {
            if (Posix.Fsync(fd) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != Posix.EInval) // the file system does not support flushing directories
                {
                    throw new IOException($"cannot flush directory '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
                }
            }
        }
        finally
        {
            _ = Posix.Close(fd);
        }
    }
}
