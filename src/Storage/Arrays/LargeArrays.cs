using System.Runtime.InteropServices;

namespace ChunkCompute.Storage.Arrays;

/// <summary>
/// Allocation of large result arrays. A fresh multi-GiB array is mostly kernel page faults on first touch (one per
/// 4 KiB page); like NumPy (which advises huge pages for arrays of 4 MiB and more), large arrays are allocated pinned
/// and their 2 MiB-aligned interior advised <c>MADV_HUGEPAGE</c> on Linux, so the kernel backs them with 2 MiB pages
/// where transparent huge pages are in <c>madvise</c> or <c>always</c> mode. The advice is best effort: any failure
/// leaves an ordinary array.
/// </summary>
public static partial class LargeArrays
{
    private const long Threshold = 4L << 20;
    private const long HugePage = 2L << 20;
    private const int MadvHugePage = 14;
    private static bool _adviceUnavailable;

    /// <summary>A new uninitialized array of <paramref name="length"/> elements; the caller writes every element.</summary>
    public static unsafe T[] AllocateUninitialized<T>(int length)
        where T : unmanaged
    {
        long bytes = (long)length * sizeof(T);
        if (bytes < Threshold || !OperatingSystem.IsLinux() || _adviceUnavailable)
        {
            return GC.AllocateUninitializedArray<T>(length);
        }

        var array = GC.AllocateUninitializedArray<T>(length, pinned: true);
        fixed (T* p = array)
        {
            long start = ((long)p + HugePage - 1) & ~(HugePage - 1);
            long end = ((long)p + bytes) & ~(HugePage - 1);
            if (end > start)
            {
                try
                {
                    _ = Madvise((nint)start, (nuint)(end - start), MadvHugePage);
                }
                catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
                {
                    _adviceUnavailable = true;
                }
            }
        }

        return array;
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);
}
