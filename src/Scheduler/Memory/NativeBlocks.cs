using System.Runtime.InteropServices;

namespace ChunkCompute.Scheduler;

/// <summary>
/// The chunk pool's native memory. On Linux, blocks of 1 MiB and more are mapped and unmapped directly
/// (<c>mmap</c>/<c>munmap</c>), so a block the pool does not keep is returned to the system at once. Through
/// <c>malloc</c> they were not: glibc raises its mmap threshold to the size of each mapped block freed (up to 32 MiB),
/// after which 16 MiB blocks came from its arenas and stayed resident when freed (convert of a 1 GiB float32 grid in
/// 64 MiB chunks, 256 MiB budget: 622 MB peak RSS, 315 MB with the threshold pinned at 1 MiB). Elsewhere, and for
/// smaller blocks, <see cref="NativeMemory.AlignedAlloc"/> (large blocks are mapped directly by the Windows and macOS
/// allocators anyway).
/// </summary>
internal static unsafe partial class NativeBlocks
{
    /// <summary>Blocks at least this large are mapped directly on Linux.</summary>
    internal const long MapThreshold = 1L << 20;

    private const int ProtRead = 0x1;
    private const int ProtWrite = 0x2;
    private const int MapPrivate = 0x02;
    private const int MapAnonymous = 0x20;
    private const long HugePage = 2L << 20;
    private const int MadvHugePage = 14;
    private static readonly nint MapFailed = -1;
    private static bool _mapUnavailable;

    /// <summary>At least <paramref name="bytes"/> bytes, 64-byte aligned (mapped blocks are page-aligned).</summary>
    public static nint Allocate(long bytes)
    {
        if (Maps(bytes))
        {
            try
            {
                nint p = Mmap(0, (nuint)bytes, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
                if (p != MapFailed)
                {
                    if (bytes >= HugePage)
                    {
                        // Best effort (transparent huge pages in madvise or always mode): a fault per 2 MiB, not per 4 KiB.
                        _ = Madvise(p, (nuint)bytes, MadvHugePage);
                    }

                    return p;
                }
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                _mapUnavailable = true;
            }

            if (!_mapUnavailable)
            {
                throw new OutOfMemoryException($"mmap of {bytes} bytes failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }

        return (nint)NativeMemory.AlignedAlloc((nuint)bytes, 64);
    }

    /// <summary>Frees a block from <see cref="Allocate"/> of the same size.</summary>
    public static void Free(nint pointer, long bytes)
    {
        if (Maps(bytes))
        {
            _ = Munmap(pointer, (nuint)bytes);
            return;
        }

        NativeMemory.AlignedFree((void*)pointer);
    }

    // Whether a block of this size is (and was, when allocated) mapped: decided by size alone, except that a missing
    // libc turns mapping off for good before any block was mapped.
    private static bool Maps(long bytes) => bytes >= MapThreshold && OperatingSystem.IsLinux() && !_mapUnavailable;

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);

    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int Munmap(nint address, nuint length);
}
