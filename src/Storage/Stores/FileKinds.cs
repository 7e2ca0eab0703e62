using System.Runtime.InteropServices;

namespace ChunkCompute.Storage.Stores;

/// <summary>What a directory entry is, read without following a symbolic link (lstat).</summary>
internal enum FileKind
{
    /// <summary>No entry of that name.</summary>
    Missing,

    /// <summary>A regular file: the only thing a store value may be.</summary>
    Regular,

    /// <summary>A directory (not a link to one).</summary>
    Directory,

    /// <summary>A symbolic link, whatever it points to (or a Windows reparse point).</summary>
    SymbolicLink,

    /// <summary>A FIFO, socket, or character or block device: opening one for reading may block forever.</summary>
    Special,
}

/// <summary>
/// lstat for store paths. On Linux it asks the kernel (statx with AT_SYMLINK_NOFOLLOW), which tells FIFOs, sockets and
/// devices apart from regular files; elsewhere it uses the portable file-system API, which tells links and directories
/// apart but not special files (those are rare outside Linux data directories).
/// </summary>
internal static partial class FileKinds
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;
    private const int ENOSYS = 38;
    private const int EPERM = 1;
    private const int StatxModeOffset = 28; // struct statx: mask, blksize (u32), attributes (u64), nlink, uid, gid (u32), mode (u16)
    private const int SIfMt = 0xF000;
    private const int SIfReg = 0x8000;
    private const int SIfDir = 0x4000;
    private const int SIfLnk = 0xA000;

    private static volatile bool _statxUnavailable = !OperatingSystem.IsLinux();

    /// <summary>What <paramref name="path"/> is, without following it if it is a link.</summary>
    public static FileKind Of(string path)
    {
        if (!_statxUnavailable)
        {
            try
            {
                return OfStatx(path);
            }
            catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
            {
                _statxUnavailable = true; // an old C library: fall back for good
            }
        }

        return OfPortable(path);
    }

    private static unsafe FileKind OfStatx(string path)
    {
        byte* buffer = stackalloc byte[256];
        if (Native.Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is ENOENT or ENOTDIR)
            {
                return FileKind.Missing;
            }

            if (errno is ENOSYS or EPERM)
            {
                _statxUnavailable = true; // a kernel or sandbox without statx
                return OfPortable(path);
            }

            throw new IOException($"cannot inspect '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }

        int mode = *(ushort*)(buffer + StatxModeOffset) & SIfMt;
        return mode switch
        {
            SIfReg => FileKind.Regular,
            SIfDir => FileKind.Directory,
            SIfLnk => FileKind.SymbolicLink,
            _ => FileKind.Special,
        };
    }

    private static FileKind OfPortable(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists && !System.IO.Directory.Exists(path) && info.LinkTarget is null)
        {
            return FileKind.Missing;
        }

        var attributes = info.Attributes;
        if ((attributes & FileAttributes.ReparsePoint) != 0 || info.LinkTarget is not null)
        {
            return FileKind.SymbolicLink;
        }

        return (attributes & FileAttributes.Directory) != 0 ? FileKind.Directory : FileKind.Regular;
    }

    /// <summary>
    /// Deletes a directory tree without ever following a link: links (to files or folders) are removed as names,
    /// real folders are emptied and removed. Best effort: entries that cannot be removed are left.
    /// </summary>
    public static void DeleteTree(string path)
    {
        switch (Of(path))
        {
            case FileKind.Missing:
                return;
            case FileKind.Directory:
                IEnumerable<string> entries;
                try
                {
                    entries = System.IO.Directory.EnumerateFileSystemEntries(path).ToList();
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    return;
                }

                foreach (var entry in entries)
                {
                    DeleteTree(entry);
                }

                TryIo(() => System.IO.Directory.Delete(path, recursive: false));
                return;
            default:
                TryIo(() => File.Delete(path)); // unlink: a link's target is never touched
                return;
        }
    }

    private static void TryIo(Action action)
    {
        try
        {
            action();
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static unsafe partial class Native
    {
        [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);
    }
}
