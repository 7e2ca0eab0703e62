using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Codecs;
using Microsoft.Win32.SafeHandles;

namespace ChunkCompute.Bench;

/// <summary>
/// The floor under any reader of a Blosc array: the work every reader does, ChunkCompute and Dask alike, measured alone
/// on the array's own chunk files. <c>floor</c> is a profile (CPU seconds of the copy and of LZ4, apart);
/// <c>floor-run</c> is the measurement bench/run.sh times beside a read-bound case (see bench/cases.sh, floor_of).
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

    /// <summary>
    /// <c>floor-run --store S --array A --case NAME [--reads blocks|whole] [--decode pieces|whole] [--threads N]</c>: the
    /// floor of a read-bound case, one timed run in the case format. <c>Environment.ProcessorCount</c> threads (or N)
    /// take the array's stored chunk files one at a time and, for each, read it from the page cache and decode it with
    /// the library's own <see cref="BloscCodec"/>, the way the engine does:
    /// <c>--reads blocks</c> (default) reads the 16-byte header, then header and block table, then each block at its
    /// offset, as the piece reader of reductions and chains does (<c>ZarrArray.OpenChunkPieces</c>); with
    /// <c>--decode pieces</c> (the default with blocks) that is the codec's own piece reader over the file
    /// (<see cref="BloscCodec.TryOpenPieces"/> on <see cref="EncodedBytes.FromFile"/>: each block read into its pooled
    /// window buffer and decoded into a cache-sized piece buffer, block after block), with <c>--decode whole</c> the
    /// blocks are read into a reused per-thread buffer and the frame then decoded whole.
    /// <c>--reads whole</c> reads each file in one read into a reused per-thread buffer, as <c>ZarrArray.Read</c>
    /// (<c>DirectoryStore.GetPooled</c>) does, and decodes the frame whole (<c>--decode whole</c>, the default with whole
    /// reads). A whole decode writes into a reused per-thread output buffer. No reduction, no result array. Buffers are
    /// allocated and touched before the clock starts. Prints
    /// <c>{"case","tool":"floor","seconds","bytes","checksum":null,…}</c>: seconds is the wall time of the whole, bytes
    /// the array's logical bytes (as the case reports them; the chunks' decoded bytes are <c>decoded_bytes</c>).
    /// </summary>
    private static int FloorRun(Dictionary<string, string> options)
    {
        string storePath = Require(options, "store");
        string arrayPath = Require(options, "array");
        string caseName = Require(options, "case");
        int threads = int.Parse(options.GetValueOrDefault("threads", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        string reads = options.GetValueOrDefault("reads", "blocks");
        if (reads is not ("blocks" or "whole"))
        {
            throw new ArgumentException($"--reads must be blocks or whole, not '{reads}'");
        }

        string decode = options.GetValueOrDefault("decode", reads == "blocks" ? "pieces" : "whole");
        if (decode is not ("pieces" or "whole") || (decode == "pieces" && reads == "whole"))
        {
            throw new ArgumentException($"--decode must be pieces (with --reads blocks) or whole, not '{decode}'");
        }

        if (threads < 1)
        {
            throw new ArgumentException("--threads must be at least 1");
        }

        // The stored chunk files, by the array's own chunk keys (what the engine opens), in grid order.
        string[] files;
        long logicalBytes;
        int elementSize;
        using (var zarr = ZarrStore.OpenExisting(storePath))
        {
            var z = zarr.OpenArray(arrayPath);
            elementSize = z.DataType.Size;
            logicalBytes = z.ElementCount * elementSize;
            var grid = z.GridShape;
            var keys = new List<string>();
            var index = new long[grid.Length];
            long count = grid.Aggregate(1L, (a, b) => a * b);
            for (long c = 0; c < count; c++)
            {
                long rest = c;
                for (int d = grid.Length - 1; d >= 0; d--)
                {
                    index[d] = rest % grid[d];
                    rest /= grid[d];
                }

                keys.Add(z.ChunkKey(index));
            }

            files = [.. keys.Select(k => Path.Combine(storePath, k)).Where(File.Exists)];
        }

        if (files.Length == 0)
        {
            throw new ArgumentException($"no stored chunk files of {arrayPath} in {storePath}");
        }

        // Buffer sizes from the frames' headers (read untimed; the files are warm either way).
        int maxStored = 0, maxDecoded = 0;
        var header = new byte[16];
        foreach (string f in files)
        {
            using var handle = File.OpenHandle(f);
            maxStored = Math.Max(maxStored, checked((int)RandomAccess.GetLength(handle)));
            if (RandomAccess.Read(handle, header, 0) < 16 || header[0] < 1 || header[0] > 2)
            {
                throw new ArgumentException($"{f} is not a Blosc1 frame: floor-run measures Blosc arrays only");
            }

            maxDecoded = Math.Max(maxDecoded, BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4)));
        }

        var codec = BloscCodec.Lz4Shuffle(1); // decoding follows each frame's own flags (compressor, shuffle, typesize)
        bool whole = reads == "whole", pieces = decode == "pieces";
        long compressed = 0, decoded = 0;
        int next = -1;
        using var ready = new Barrier(threads + 1);
        using var start = new ManualResetEventSlim();
        Exception? failure = null;
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            try
            {
                var input = GC.AllocateArray<byte>(maxStored, pinned: true);
                var output = GC.AllocateArray<byte>(maxDecoded, pinned: true);
                Array.Fill(input, (byte)1);
                Array.Fill(output, (byte)1);
                long myCompressed = 0, myDecoded = 0;
                ready.SignalAndWait();
                start.Wait();
                for (int i = Interlocked.Increment(ref next); i < files.Length; i = Interlocked.Increment(ref next))
                {
                    if (pieces)
                    {
                        var (stored, length) = DecodePieces(codec, files[i], elementSize);
                        myCompressed += stored;
                        myDecoded += length;
                        continue;
                    }

                    int cbytes = whole ? ReadFrameWhole(files[i], input) : ReadFrameBlocks(files[i], input);
                    int nbytes = BinaryPrimitives.ReadInt32LittleEndian(input.AsSpan(4));
                    codec.Decode(input.AsSpan(0, cbytes), output.AsSpan(0, nbytes));
                    myCompressed += cbytes;
                    myDecoded += nbytes;
                }

                Interlocked.Add(ref compressed, myCompressed);
                Interlocked.Add(ref decoded, myDecoded);
            }
            catch (Exception e) when (e is IOException or CodecException or ArgumentException)
            {
                failure = e;
                Interlocked.Exchange(ref next, files.Length); // the others stop at their next chunk
            }
        })).ToArray();
        foreach (var t in workers)
        {
            t.Start();
        }

        ready.SignalAndWait(); // every thread has its buffers
        var clock = Stopwatch.StartNew();
        start.Set();
        foreach (var t in workers)
        {
            t.Join();
        }

        double seconds = clock.Elapsed.TotalSeconds;
        if (failure is not null)
        {
            throw new InvalidOperationException($"floor-run: {failure.Message}", failure);
        }

        using var stdout = Console.OpenStandardOutput();
        using (var json = new Utf8JsonWriter(stdout))
        {
            json.WriteStartObject();
            json.WriteString("case", caseName);
            json.WriteString("tool", "floor");
            json.WriteNumber("seconds", seconds);
            json.WriteNumber("bytes", logicalBytes);
            json.WriteNull("checksum");
            json.WriteString("reads", whole ? "whole files" : "blocks");
            json.WriteString("decode", pieces ? "pieces" : "whole frames");
            json.WriteNumber("threads", threads);
            json.WriteNumber("files", files.Length);
            json.WriteNumber("compressed_bytes", compressed);
            json.WriteNumber("decoded_bytes", decoded);
            json.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
        return 0;
    }

    // Reads and decodes a chunk file with the codec's piece reader over the file, as ZarrArray.OpenChunkPieces does for a
    // local store (no reduction: each piece is only handed out); returns (stored bytes, decoded bytes).
    private static (long Stored, long Decoded) DecodePieces(BloscCodec codec, string path, int elementSize)
    {
        var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
        var source = EncodedBytes.FromFile(file); // owns the handle from here
        Span<byte> header = stackalloc byte[16];
        if (!source.TryReadAt(0, header))
        {
            source.Dispose();
            throw new IOException($"{path} is shorter than a Blosc header");
        }

        long stored = source.Length;
        int nbytes = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        using var pieces = codec.TryOpenPieces(source, nbytes, elementSize) // disposes source when it returns null
            ?? throw new ArgumentException($"{path} cannot be decoded in pieces: use --decode whole");
        long decoded = 0;
        while (pieces.TryRead(out var bytes, out _))
        {
            decoded += bytes.Length;
        }

        return (stored, decoded);
    }

    // Reads a chunk file in one read (as DirectoryStore.GetPooled does) into the buffer; returns its length.
    private static int ReadFrameWhole(string path, byte[] buffer)
    {
        using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
        int length = checked((int)RandomAccess.GetLength(file));
        ReadExactly(file, buffer.AsSpan(0, length), 0, path);
        return length;
    }

    // Reads a chunk file's Blosc frame as the engine's piece reader does (BloscPieces over EncodedBytes.FromFile): the
    // 16-byte header, then the header and block table, then each block (extents from the table) at its own offset, so
    // the frame is whole in the buffer afterwards. Returns the frame's length (cbytes).
    private static int ReadFrameBlocks(string path, byte[] buffer)
    {
        using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
        ReadExactly(file, buffer.AsSpan(0, 16), 0, path);
        byte flags = buffer[2];
        int nbytes = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(4));
        int blocksize = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(8));
        int cbytes = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(12));
        if ((flags & 0x2) != 0 || blocksize <= 0 || nbytes <= blocksize)
        {
            // stored uncompressed, or one block: the engine reads the whole frame at once
            ReadExactly(file, buffer.AsSpan(16, cbytes - 16), 16, path);
            return cbytes;
        }

        int blocks = (nbytes + blocksize - 1) / blocksize;
        int tableEnd = 16 + (4 * blocks);
        ReadExactly(file, buffer.AsSpan(0, tableEnd), 0, path);
        Span<int> starts = blocks <= 1024 ? stackalloc int[blocks] : new int[blocks];
        for (int b = 0; b < blocks; b++)
        {
            starts[b] = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(16 + (4 * b)));
        }

        starts.Sort(); // a block ends where the next one (by offset) starts
        for (int b = 0; b < blocks; b++)
        {
            int blockEnd = b + 1 < blocks ? starts[b + 1] : cbytes;
            ReadExactly(file, buffer.AsSpan(starts[b], blockEnd - starts[b]), starts[b], path);
        }

        return cbytes;
    }

    private static void ReadExactly(SafeFileHandle file, Span<byte> destination, long offset, string path)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int n = RandomAccess.Read(file, destination[total..], offset + total);
            if (n == 0)
            {
                throw new IOException($"{path} ends before offset {offset + destination.Length}");
            }

            total += n;
        }
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
