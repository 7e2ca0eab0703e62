using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace ChunkCompute.Bench;

/// <summary>
/// The floor under any reader of a Blosc-LZ4 array (profile, not a case): the CPU time two pieces of work take that every
/// reader does, ChunkCompute and Dask alike, measured alone on the array's own chunk files.
/// </summary>
internal static partial class Program
{
    /// <summary>
    /// <c>floor --store S --array A [--threads N] [--iterations K] [--reads blocks|whole]</c>: (1) the page-cache copy: every chunk
    /// file read block by block (as the engine reads it) into a reused buffer by N threads (<c>--reads whole</c>: each file in
    /// one read into a reused chunk-sized buffer, as before the block-window reader); (2) LZ4: every compressed
    /// split of every block decompressed by N threads with liblz4 (the library c-blosc links too), the input already
    /// in memory. Best of K of each. Prints one JSON line with the CPU seconds of each (wall × threads: the threads
    /// are busy throughout) and the bytes involved.
    /// </summary>
    private static int Floor(Dictionary<string, string> options)
    {
        string dir = Path.Combine(Require(options, "store"), Require(options, "array"));
        int threads = int.Parse(options.GetValueOrDefault("threads", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        int iterations = int.Parse(options.GetValueOrDefault("iterations", "3"), CultureInfo.InvariantCulture);
        string reads = options.GetValueOrDefault("reads", "blocks");
        if (reads is not ("blocks" or "whole"))
        {
            throw new ArgumentException($"--reads must be blocks or whole, not '{reads}'");
        }

        bool whole = reads == "whole";
        var files = Directory.EnumerateFiles(dir).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
        {
            throw new ArgumentException($"no chunk files in {dir}");
        }

        var frames = files.Select(File.ReadAllBytes).ToArray();
        long compressed = frames.Sum(f => (long)f.Length);
        long lz4Output = 0;
        foreach (var frame in frames)
        {
            foreach (var (_, _, decoded) in CompressedSplits(frame))
            {
                lz4Output += decoded;
            }
        }

        double copy = double.MaxValue, lz4 = double.MaxValue;
        for (int k = 0; k < iterations; k++)
        {
            copy = Math.Min(copy, RunOnThreads(threads, files.Length, (i, buffer) => (whole ? (Action<string, byte[], byte[]>)ReadWhole : ReadBlocks)(files[i], frames[i], buffer)));
            lz4 = Math.Min(lz4, RunOnThreads(threads, frames.Length, (i, buffer) => DecompressSplits(frames[i], buffer)));
        }

        using var stdout = Console.OpenStandardOutput();
        using var json = new Utf8JsonWriter(stdout);
        json.WriteStartObject();
        json.WriteString("array", dir);
        json.WriteNumber("threads", threads);
        json.WriteString("copy_reads", whole ? "whole files" : "blocks");
        json.WriteNumber("compressed_bytes", compressed);
        json.WriteNumber("lz4_output_bytes", lz4Output);
        json.WriteNumber("copy_cpu_seconds", copy * threads);
        json.WriteNumber("lz4_cpu_seconds", lz4 * threads);
        json.WriteNumber("copy_gb_per_s_per_thread", compressed / (copy * threads) / 1e9);
        json.WriteNumber("lz4_gb_per_s_per_thread", lz4Output / (lz4 * threads) / 1e9);
        json.WriteEndObject();
        json.Flush();
        stdout.WriteByte((byte)'\n');
        return 0;
    }

    // Runs work(i, buffer) for i in 0..count on `threads` threads (each with its own 16 MiB buffer); returns wall seconds.
    private static double RunOnThreads(int threads, int count, Action<int, byte[]> work)
    {
        int next = -1;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            var buffer = GC.AllocateArray<byte>(16 << 20, pinned: true);
            Array.Fill(buffer, (byte)1);
            for (int i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                work(i, buffer);
            }
        })).ToArray();
        foreach (var t in workers)
        {
            t.Start();
        }

        foreach (var t in workers)
        {
            t.Join();
        }

        return clock.Elapsed.TotalSeconds;
    }

    // Reads a chunk file's header and block table, then each block's bytes (extents from the table) into the buffer.
    private static void ReadBlocks(string path, byte[] frame, byte[] buffer)
    {
        using SafeFileHandle file = File.OpenHandle(path);
        int cbytes = BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(12));
        var starts = BlockStarts(frame).Order().ToArray();
        RandomAccess.Read(file, buffer.AsSpan(0, 16 + (4 * starts.Length)), 0);
        for (int b = 0; b < starts.Length; b++)
        {
            int end = b + 1 < starts.Length ? starts[b + 1] : cbytes;
            RandomAccess.Read(file, buffer.AsSpan(0, end - starts[b]), starts[b]);
        }
    }

    // Reads a chunk file in one read into the buffer.
    private static void ReadWhole(string path, byte[] frame, byte[] buffer)
    {
        using SafeFileHandle file = File.OpenHandle(path);
        RandomAccess.Read(file, buffer.AsSpan(0, frame.Length), 0);
    }

    private static unsafe void DecompressSplits(byte[] frame, byte[] buffer)
    {
        fixed (byte* src = frame)
        fixed (byte* dst = buffer)
        {
            foreach (var (offset, length, decoded) in CompressedSplits(frame))
            {
                if (Lz4DecompressSafe(src + offset, dst, length, decoded) != decoded)
                {
                    throw new InvalidOperationException($"a split at offset {offset} does not decompress to {decoded} bytes");
                }
            }
        }
    }

    private static int[] BlockStarts(byte[] frame)
    {
        int nbytes = BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(4));
        int blocksize = BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(8));
        int count = (frame[2] & 0x2) != 0 ? 0 : (nbytes + blocksize - 1) / blocksize; // 0x2: stored uncompressed
        return Enumerable.Range(0, count).Select(b => BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(16 + (4 * b)))).ToArray();
    }

    // The LZ4-compressed splits of a Blosc-LZ4 frame whose blocks are split into one stream per byte of an element (the
    // shuffled layout c-blosc writes): (offset, compressed length, decoded length); splits stored raw are left out.
    private static IEnumerable<(int Offset, int Length, int Decoded)> CompressedSplits(byte[] frame)
    {
        if ((frame[2] >> 5) != 1)
        {
            throw new ArgumentException("the array's chunks are not Blosc-LZ4 frames");
        }

        int typesize = frame[3];
        int nbytes = BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(4));
        int blocksize = BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(8));
        var starts = BlockStarts(frame);
        var result = new List<(int, int, int)>();
        for (int b = 0; b < starts.Length; b++)
        {
            int bytes = Math.Min(blocksize, nbytes - (b * blocksize));
            bool split = (frame[2] & 0x10) == 0 && bytes == blocksize && bytes / typesize >= 128;
            int splits = split ? typesize : 1;
            int pos = starts[b];
            for (int s = 0; s < splits; s++)
            {
                int csize = BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(pos));
                pos += 4;
                if (csize < bytes / splits)
                {
                    result.Add((pos, csize, bytes / splits));
                }

                pos += csize;
            }
        }

        return result;
    }

    [LibraryImport("liblz4.so.1", EntryPoint = "LZ4_decompress_safe")]
    private static unsafe partial int Lz4DecompressSafe(byte* source, byte* destination, int compressedSize, int destinationCapacity);
}
