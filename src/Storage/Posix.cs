using System.Runtime.InteropServices;

namespace ChunkCompute.Storage;

/// <summary>
/// The libc calls the storage layer makes where .NET has no equivalent (hard links for create-if-absent, directory
/// flushes, early write-back, direct I/O), with the open flags whose values differ between architectures. Unix only;
/// callers check.
/// </summary>
internal static unsafe class Posix
{
    public const int ORdOnly = 0;
    public const int OWrOnly = 1;
    public const int OCreat = 0x40;
    public const int OExcl = 0x80;
    public const int OCloExec = 0x80000;
    public const uint SyncFileRangeWrite = 2;

    /// <summary><c>EPERM</c> (Linux and macOS).</summary>
    public const int EPerm = 1;

    /// <summary><c>EEXIST</c> (Linux and macOS).</summary>
    public const int EExist = 17;

    /// <summary><c>EXDEV</c> (Linux and macOS).</summary>
    public const int EXDev = 18;

    /// <summary><c>EINVAL</c> (Linux and macOS).</summary>
    public const int EInval = 22;

    /// <summary><c>ENOSYS</c>: 38 on Linux, 78 on macOS.</summary>
    public static int ENoSys => OperatingSystem.IsMacOS() ? 78 : 38;

    /// <summary><c>ENOTSUP</c>: 95 on Linux (the same as <c>EOPNOTSUPP</c>), 45 on macOS.</summary>
    public static int ENotSup => OperatingSystem.IsMacOS() ? 45 : 95;

    /// <summary>
    /// 64-bit x64 or arm64: <see cref="ODirect"/> is known and <see cref="Pwrite"/>/<see cref="Ftruncate"/> take 64-bit
    /// offsets (32-bit glibc would need their <c>64</c> variants).
    /// </summary>
    public static bool Is64BitKnown => RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary><c>O_DIRECT</c>: 040000 on x86 and most architectures, 0200000 on arm and arm64.</summary>
    public static int ODirect => IsArm ? 0x10000 : 0x4000;

    /// <summary><c>O_DIRECTORY</c>: 0200000 on x86 and most architectures, 040000 on arm and arm64.</summary>
    public static int ODirectory => IsArm ? 0x4000 : 0x10000;

    private static bool IsArm => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm;

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    public static extern int Close(int fd);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    public static extern int Fdatasync(int fd);

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    public static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string link);

    [DllImport("libc", EntryPoint = "unlink", SetLastError = true)]
    public static extern int Unlink([MarshalAs(UnmanagedType.LPUTF8Str)] string path);

    [DllImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    public static extern int SyncFileRange(int fd, long offset, long nbytes, uint flags);

    [DllImport("libc", EntryPoint = "pwrite", SetLastError = true)]
    public static extern nint Pwrite(int fd, byte* buffer, nuint count, long offset);

    [DllImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    public static extern int Ftruncate(int fd, long length);
}
