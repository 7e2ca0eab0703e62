using System.Runtime.InteropServices;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// Writes a new file with <c>O_DIRECT</c> (Linux, x64 and arm64): the bytes go from memory to the device without
/// passing through the page cache. A durable commit must wait until its staged values are on disk anyway, and on the
/// machines measured a buffered write then waits for the page cache's write-back, which ran at 340–430 MB/s against
/// 1.3–2 GB/s for the same bytes written directly (<c>dd</c>, bench/analysis/append.md). The file is not left in the
/// page cache, so a later read of it comes from the disk.
/// </summary>
/// <remarks>
/// Direct I/O needs addresses, lengths and offsets aligned to the device's logical block: a source that is not
/// page-aligned goes through a per-thread page-aligned buffer of <see cref="BounceBytes"/>, and the last partial block is
/// written padded with zeros, then the file is cut to its length. A file system that refuses <c>O_DIRECT</c> (tmpfs,
/// some network file systems) makes <see cref="TryWriteNew"/> return false having left nothing behind, and the caller
/// writes through the page cache.
/// </remarks>
internal static unsafe class DirectFileWriter
{
    /// <summary>
    /// Values smaller than this are written through the page cache. Measured on the 1 GiB append (7.5 MiB frames, one
    /// durable commit per 64 MiB): buffered writes whose write-back starts at once (<c>sync_file_range</c>) took
    /// 0.60–0.70 s, direct ones 0.89–0.99 s, the thread waiting for each device write instead of encoding the next
    /// chunk (a build with this threshold at 1 MiB). On `convert`'s 57 MB frames buffered writes were throttled to the
    /// disk's write-back rate (~100 ms per frame) and direct ones took the run from 4.3–4.7 s to 2.9–3.1 s; the 64 MiB
    /// bands of rechunk_2d: `ChunkCompute.Bench rechunk … --direct-writes true|false` (bench/analysis/rechunk_2d.md).
    /// </summary>
    public const int MinBytes = 16 << 20;

    /// <summary>The per-thread aligned buffer that unaligned sources are copied through (allocated on first use, kept).</summary>
    public const int BounceBytes = 4 << 20;

    private const int Align = 4096;
    private const int EINTR = 4;

    [ThreadStatic]
    private static nint t_bounce;

    /// <summary>True where direct writes are attempted: Linux on x64 or arm64.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && Posix.Is64BitKnown;

    /// <summary>
    /// Creates <paramref name="path"/> (which must not exist) holding <paramref name="bytes"/>, written directly to the
    /// device. False when the file system refuses direct I/O for it: then nothing is left at <paramref name="path"/>.
    /// </summary>
    /// <exception cref="IOException">A write failed (a full disk, an I/O error); the file is removed.</exception>
    public static bool TryWriteNew(string path, ReadOnlySpan<byte> bytes)
    {
        if (!IsSupported)
        {
            return false;
        }

        int fd = Posix.Open(path, Posix.OWrOnly | Posix.OCreat | Posix.OExcl | Posix.OCloExec | Posix.ODirect, 0x1b6 /* 0666, less the umask: as .NET creates files */);
        if (fd < 0)
        {
            return false; // refused (EINVAL on tmpfs) or any other error: the buffered write reports it
        }

        bool written = false;
        try
        {
            fixed (byte* source = bytes)
            {
                if (!WriteAll(fd, source, bytes.Length))
                {
                    return false;
                }
            }

            if (Posix.Close(fd) != 0)
            {
                fd = -1;
                throw Error(path, Marshal.GetLastPInvokeError());
            }

            fd = -1;
            written = true;
            return true;
        }
        finally
        {
            if (fd >= 0)
            {
                _ = Posix.Close(fd);
            }

            if (!written)
            {
                _ = Posix.Unlink(path);
            }
        }

        // Writes every byte (the aligned part straight from the source when it is page-aligned, else through the bounce
        // buffer; the tail padded), then cuts the file to its length. False when the first write is refused as invalid.
        bool WriteAll(int fd, byte* source, int length)
        {
            long aligned = length & ~(long)(Align - 1);
            long done = 0;
            bool direct = ((nint)source & (Align - 1)) == 0;
            while (done < aligned)
            {
                long count = direct ? Math.Min(aligned - done, 1L << 30) : Math.Min(aligned - done, BounceBytes);
                byte* from = source + done;
                if (!direct)
                {
                    Buffer.MemoryCopy(from, (void*)Bounce(), BounceBytes, count);
                    from = (byte*)Bounce();
                }

                if (!Write(fd, from, count, done, first: done == 0))
                {
                    return false;
                }

                done += count;
            }

            int tail = (int)(length - aligned);
            if (tail > 0)
            {
                byte* block = (byte*)Bounce();
                Buffer.MemoryCopy(source + aligned, block, Align, tail);
                new Span<byte>(block + tail, Align - tail).Clear();
                if (!Write(fd, block, Align, aligned, first: aligned == 0))
                {
                    return false;
                }

                if (Posix.Ftruncate(fd, length) != 0)
                {
                    throw Error(path, Marshal.GetLastPInvokeError());
                }
            }

            return true;
        }

        bool Write(int fd, byte* from, long count, long offset, bool first)
        {
            while (count > 0)
            {
                nint n = Posix.Pwrite(fd, from, (nuint)count, offset);
                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == EINTR)
                    {
                        continue;
                    }

                    if (first && (errno == Posix.EInval || errno == Posix.ENotSup))
                    {
                        return false; // opened, but direct writes are refused here: write through the page cache
                    }

                    throw Error(path, errno);
                }

                if (n == 0 || n % Align != 0)
                {
                    throw new IOException($"could not write '{path}': the device took {n} of {count} bytes at offset {offset} (no space left on device?)", 28);
                }

                from += n;
                offset += n;
                count -= n;
                first = false;
            }

            return true;
        }
    }

    private static nint Bounce()
    {
        if (t_bounce == 0)
        {
            t_bounce = (nint)NativeMemory.AlignedAlloc(BounceBytes, Align);
        }

        return t_bounce;
    }

    private static IOException Error(string path, int errno) =>
        new($"could not write '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);
}
