using System.Buffers.Binary;
using System.IO.Compression;
using ChunkCompute.Storage.Codecs.Backends;
using ChunkCompute.Storage.Codecs.Native;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// Decodes Blosc1 frames (format versions 1-2, 16-byte header) in managed code over liblz4 / libzstd / zlib and a
/// managed BloscLZ decoder. Every header field and offset is validated before use. Blocks that need no unshuffle are
/// decompressed straight into the destination; others go through a per-thread scratch buffer.
/// </summary>
internal static class BloscDecoder
{
    private const string Codec = "blosc";

    [ThreadStatic]
    private static byte[]? t_scratch;

    /// <summary>The <c>nbytes</c> of the header, or -1 when the buffer is not a readable Blosc1 frame.</summary>
    internal static int GetDecodedLength(ReadOnlySpan<byte> src)
    {
        if (src.Length < BloscFormat.HeaderSize || src[0] is 0 or > BloscFormat.Version)
        {
            return -1;
        }

        var nbytes = BinaryPrimitives.ReadUInt32LittleEndian(src.Slice(4, 4));
        return nbytes > BloscFormat.MaxBufferSize ? -1 : (int)nbytes;
    }

    /// <summary>Validates the header and returns <c>nbytes</c>.</summary>
    internal static int ReadDecodedLength(ReadOnlySpan<byte> src) => ReadDecodedLength(src, src.Length);

    // As above, for a header whose frame has `available` bytes in all (src may hold only the header).
    private static int ReadDecodedLength(ReadOnlySpan<byte> src, long available)
    {
        if (src.Length < BloscFormat.HeaderSize)
        {
            throw CodecHelpers.Truncated(Codec, $"{src.Length} bytes is shorter than the 16-byte Blosc header");
        }

        var version = src[0];
        var flags = src[2];
        if (version > BloscFormat.Version)
        {
            throw new CodecException(Codec, $"unsupported Blosc format version {version}: only Blosc1 frames (versions 1-2) are supported, not Blosc2 chunks");
        }

        if (version == 0)
        {
            throw new CodecException(Codec, "corrupt header: format version 0");
        }

        if ((flags & (BloscFormat.DoShuffle | BloscFormat.DoBitShuffle)) == (BloscFormat.DoShuffle | BloscFormat.DoBitShuffle))
        {
            throw new CodecException(Codec, "unsupported Blosc2 extended header (flags 0x01 and 0x04 both set): only Blosc1 frames are supported");
        }

        var nbytes = BinaryPrimitives.ReadUInt32LittleEndian(src.Slice(4, 4));
        var cbytes = BinaryPrimitives.ReadUInt32LittleEndian(src.Slice(12, 4));
        if (nbytes > BloscFormat.MaxBufferSize)
        {
            throw new CodecException(Codec, $"corrupt header: nbytes {nbytes} exceeds the Blosc limit");
        }

        if (cbytes < BloscFormat.HeaderSize)
        {
            throw new CodecException(Codec, $"corrupt header: cbytes {cbytes} is smaller than the header");
        }

        if (cbytes > available)
        {
            throw CodecHelpers.Truncated(Codec, $"header says {cbytes} bytes, buffer has {available}");
        }

        if ((flags & BloscFormat.Memcpyed) != 0 && cbytes - BloscFormat.HeaderSize < nbytes)
        {
            throw CodecHelpers.Truncated(Codec, $"uncompressed frame holds {cbytes - BloscFormat.HeaderSize} of {nbytes} bytes");
        }

        var blocksize = BinaryPrimitives.ReadUInt32LittleEndian(src.Slice(8, 4));
        if ((flags & BloscFormat.Memcpyed) == 0 && nbytes > 0
            && (blocksize == 0 || BloscFormat.HeaderSize + (4 * (((long)nbytes + blocksize - 1) / blocksize)) > cbytes))
        {
            throw new CodecException(Codec, $"corrupt header: nbytes {nbytes} and blocksize {blocksize} do not fit a {cbytes}-byte frame");
        }

        return (int)nbytes;
    }

    /// <summary>Decodes a frame into <paramref name="dest"/>, whose length must equal the header's <c>nbytes</c>.</summary>
    internal static void Decode(ReadOnlySpan<byte> src, Span<byte> dest)
    {
        var frame = Frame.Parse(src);
        if (frame.NBytes != dest.Length)
        {
            throw CodecHelpers.SizeMismatch(Codec, dest.Length, frame.NBytes);
        }

        src = src[..frame.CBytes];
        if (frame.Memcpyed)
        {
            src.Slice(BloscFormat.HeaderSize, frame.NBytes).CopyTo(dest);
            return;
        }

        Span<byte> scratch = frame.Unshuffles ? ThreadScratch(frame.MaxBlockBytes) : default;
        Span<int> rawSplits = stackalloc int[Frame.MaxSplitsPerBlock];
        for (var b = 0; b < frame.BlockCount; b++)
        {
            var outBlock = dest.Slice((int)((long)b * frame.BlockSize), frame.BlockBytes(b));
            if (!frame.Unshuffles)
            {
                frame.DecompressBlock(src, b, outBlock);
                continue;
            }

            var shuffled = scratch[..outBlock.Length];
            if (frame.ByteShuffled && outBlock.Length % frame.TypeSize == 0)
            {
                // Rows stored raw are unshuffled straight from the frame (no copy into the scratch block).
                int splits = frame.DecompressBlock(src, b, shuffled, rawSplits);
                int n = outBlock.Length / frame.TypeSize;
                frame.UnshuffleRows(src, shuffled, rawSplits, splits, n, 0, n, outBlock);
                continue;
            }

            frame.DecompressBlock(src, b, shuffled);
            frame.Unshuffle(shuffled, outBlock);
        }
    }

    private static Span<byte> ThreadScratch(int bytes)
    {
        var scratchArray = t_scratch;
        if (scratchArray is null || scratchArray.Length < bytes)
        {
            scratchArray = t_scratch = GC.AllocateUninitializedArray<byte>(Math.Max(bytes, 64 * 1024));
        }

        return scratchArray;
    }

    /// <summary>A validated Blosc1 header: what the block loop needs.</summary>
    internal readonly struct Frame
    {
        private readonly byte _flags;

        private Frame(byte flags, int typeSize, int nbytes, int blocksize, int cbytes)
        {
            _flags = flags;
            TypeSize = typeSize;
            NBytes = nbytes;
            BlockSize = blocksize;
            CBytes = cbytes;
            Format = flags >> 5;
            BlockCount = nbytes == 0 || Memcpyed ? 0 : (int)(((long)nbytes + blocksize - 1) / blocksize);
            TableEnd = BloscFormat.HeaderSize + (4 * BlockCount);
        }

        public int TypeSize { get; }

        public int NBytes { get; }

        /// <summary>The header's block size: bytes of every block but a shorter last one.</summary>
        public int BlockSize { get; }

        /// <summary>Bytes of the largest block.</summary>
        public int MaxBlockBytes => Math.Min(BlockSize, NBytes);

        public int CBytes { get; }

        public int Format { get; }

        public int BlockCount { get; }

        public int TableEnd { get; }

        public bool Memcpyed => (_flags & BloscFormat.Memcpyed) != 0;

        public bool ByteShuffled => (_flags & BloscFormat.DoShuffle) != 0 && TypeSize > 1;

        private bool BitShuffled => (_flags & BloscFormat.DoBitShuffle) != 0;

        /// <summary>True when decompressed blocks still need an unshuffle (into another buffer).</summary>
        public bool Unshuffles => ByteShuffled || BitShuffled;

        /// <summary>Parses and validates the header of <paramref name="src"/>.</summary>
        public static Frame Parse(ReadOnlySpan<byte> src) => Parse(src, src.Length);

        /// <summary>
        /// Parses and validates the header at the start of <paramref name="src"/> (at least the 16 header bytes) of a
        /// frame stored in <paramref name="available"/> bytes: how a frame read piecewise from a file is opened.
        /// </summary>
        public static Frame Parse(ReadOnlySpan<byte> src, long available)
        {
            var nbytes = ReadDecodedLength(src, available);
            var flags = src[2];
            int typesize = src[3];
            var blocksize = BinaryPrimitives.ReadUInt32LittleEndian(src.Slice(8, 4));
            var cbytes = (int)BinaryPrimitives.ReadUInt32LittleEndian(src.Slice(12, 4));
            var frame = new Frame(flags, typesize, nbytes, (int)Math.Min(Math.Max(blocksize, 1u), (uint)BloscFormat.MaxBufferSize), cbytes);
            if (frame.Memcpyed || nbytes == 0)
            {
                return frame;
            }

            if (blocksize == 0 || blocksize > BloscFormat.MaxBufferSize)
            {
                throw new CodecException(Codec, $"corrupt header: blocksize {blocksize}");
            }

            if (typesize == 0)
            {
                throw new CodecException(Codec, "corrupt header: typesize 0");
            }

            switch (frame.Format)
            {
                case BloscFormat.FormatBloscLz:
                case BloscFormat.FormatZlib:
                    break;
                case BloscFormat.FormatLz4:
                    CodecBackends.UseNative(NativeCodecLibrary.Lz4, Codec); // settles the backend on the caller's thread
                    break;
                case BloscFormat.FormatZstd:
                    CodecBackends.UseNative(NativeCodecLibrary.Zstd, Codec);
                    break;
                case BloscFormat.FormatSnappy:
                    throw new UnsupportedCodecException(Codec, "the chunk is compressed with snappy, which ChunkCompute does not support");
                default:
                    throw new CodecException(Codec, $"corrupt header: unknown compressor format {frame.Format}");
            }

            if (frame.TableEnd > cbytes)
            {
                throw CodecHelpers.Truncated(Codec, $"block table of {frame.BlockCount} entries does not fit in {cbytes} bytes");
            }

            return frame;
        }

        /// <summary>Bytes of block <paramref name="b"/>.</summary>
        public int BlockBytes(int b) => b == BlockCount - 1 && NBytes % BlockSize != 0 ? NBytes % BlockSize : BlockSize;

        /// <summary>Decompresses block <paramref name="b"/> of the frame <paramref name="src"/> into <paramref name="target"/> (still shuffled when <see cref="Unshuffles"/>).</summary>
        public void DecompressBlock(ReadOnlySpan<byte> src, int b, Span<byte> target) => DecompressBlock(src, b, target, default);

        /// <summary>
        /// As <see cref="DecompressBlock(ReadOnlySpan{byte}, int, Span{byte})"/>, but a split stored raw in the frame is
        /// left there when <paramref name="rawSplits"/> is given (≥ <see cref="MaxSplitsPerBlock"/> entries): entry
        /// <c>s</c> becomes the split's offset in <paramref name="src"/>, or −1 when it was decompressed into its place
        /// in <paramref name="target"/>. Returns the number of splits (the typesize, or 1 when the block is one stream).
        /// </summary>
        public int DecompressBlock(ReadOnlySpan<byte> src, int b, Span<byte> target, Span<int> rawSplits) =>
            DecompressBlockAt(src[..CBytes], 0, b, BlockStart(src, b), target, rawSplits);

        /// <summary>Where block <paramref name="b"/> starts in the frame, from the block table in <paramref name="head"/> (the frame's first <see cref="TableEnd"/> bytes or more).</summary>
        public int BlockStart(ReadOnlySpan<byte> head, int b)
        {
            var pos = BinaryPrimitives.ReadInt32LittleEndian(head.Slice(BloscFormat.HeaderSize + (4 * b), 4));
            if (pos < TableEnd || pos > CBytes)
            {
                throw new CodecException(Codec, $"corrupt block table: block {b} starts at {pos}, outside {TableEnd}..{CBytes}");
            }

            return pos;
        }

        /// <summary>
        /// Decompresses block <paramref name="b"/>, which starts at frame offset <paramref name="pos"/>, from
        /// <paramref name="data"/>: the frame's bytes from offset <paramref name="dataStart"/> on (the whole frame, or a
        /// window read from a file that holds the block). Raw splits (<paramref name="rawSplits"/>, as in
        /// <see cref="DecompressBlock(ReadOnlySpan{byte}, int, Span{byte}, Span{int})"/>) are offsets in
        /// <paramref name="data"/>. A split that runs past the end of <paramref name="data"/> is reported as truncated.
        /// </summary>
        public int DecompressBlockAt(ReadOnlySpan<byte> data, int dataStart, int b, int pos, Span<byte> target, Span<int> rawSplits)
        {
            var bsize = target.Length;
            var end = dataStart + data.Length;
            var isLeftover = b == BlockCount - 1 && NBytes % BlockSize != 0;
            if (pos < dataStart || pos > end)
            {
                throw new CodecException(Codec, $"corrupt block table: block {b} starts at {pos}, outside the bytes read for it ({dataStart}..{end})");
            }

            var nsplits = (_flags & BloscFormat.DontSplit) == 0 && TypeSize <= BloscFormat.MaxSplits && bsize / TypeSize >= BloscFormat.MinBufferSize && !isLeftover
                ? TypeSize
                : 1;
            if (bsize % nsplits != 0)
            {
                throw new CodecException(Codec, $"corrupt header: blocksize {bsize} is not a multiple of typesize {TypeSize}");
            }

            var neblock = bsize / nsplits;
            for (var s = 0; s < nsplits; s++)
            {
                if (pos > end - 4)
                {
                    throw CodecHelpers.Truncated(Codec, $"block {b} split {s} header lies past the end of the block's bytes (offset {end} of a {CBytes}-byte frame)");
                }

                var csize = BinaryPrimitives.ReadInt32LittleEndian(data.Slice(pos - dataStart, 4));
                pos += 4;
                if (csize < 0 || csize > end - pos)
                {
                    throw CodecHelpers.Truncated(Codec, $"block {b} split {s} claims {csize} bytes at offset {pos}, past the end of the block's bytes (offset {end} of a {CBytes}-byte frame)");
                }

                var part = data.Slice(pos - dataStart, csize);
                var output = target.Slice(s * neblock, neblock);
                if (!rawSplits.IsEmpty)
                {
                    rawSplits[s] = csize == neblock ? pos - dataStart : -1;
                }

                if (csize == neblock)
                {
                    if (rawSplits.IsEmpty)
                    {
                        part.CopyTo(output);
                    }
                }
                else if (!DecompressSplit(Format, part, output))
                {
                    throw new CodecException(Codec, $"corrupt input: block {b} split {s} does not decompress to {neblock} bytes");
                }

                pos += csize;
            }

            return nsplits;
        }

        /// <summary>Most splits a block has (one per byte of an element, up to Blosc's limit).</summary>
        public const int MaxSplitsPerBlock = BloscFormat.MaxSplits;

        /// <summary>
        /// Unshuffles elements <paramref name="first"/> .. +<paramref name="count"/> of a byte-shuffled block of
        /// <paramref name="blockElements"/> elements into <paramref name="dst"/>, reading each byte row where
        /// <see cref="DecompressBlock(ReadOnlySpan{byte}, int, Span{byte}, Span{int})"/> left it: in
        /// <paramref name="decompressed"/>, or (stored raw) in the frame <paramref name="src"/> itself — so raw rows,
        /// most of a block of noisy floats, are never copied.
        /// </summary>
        public unsafe void UnshuffleRows(ReadOnlySpan<byte> src, ReadOnlySpan<byte> decompressed, ReadOnlySpan<int> rawSplits, int splits, int blockElements, int first, int count, Span<byte> dst)
        {
            int ts = TypeSize;
            if ((uint)first > (uint)blockElements || (uint)count > (uint)(blockElements - first) || dst.Length < (long)count * ts || decompressed.Length < (long)blockElements * ts)
            {
                throw new ArgumentException($"elements {first}..{first + count} of a {blockElements}-element block do not fit the buffers");
            }

            fixed (byte* frame = src)
            fixed (byte* block = decompressed)
            fixed (byte* output = dst)
            {
                byte** rows = stackalloc byte*[ts];
                for (int j = 0; j < ts; j++)
                {
                    long rowStart = ((long)j * blockElements) + first;
                    int split = splits == 1 ? 0 : j;
                    long inSplit = splits == 1 ? rowStart : first;
                    rows[j] = rawSplits[split] >= 0 ? frame + rawSplits[split] + inSplit : block + rowStart;
                }

                ByteShuffle.UnshuffleRows(rows, count, output, ts);
            }
        }

        /// <summary>Unshuffles a decompressed block (<see cref="Unshuffles"/> must be true).</summary>
        public void Unshuffle(ReadOnlySpan<byte> shuffled, Span<byte> block)
        {
            if (ByteShuffled)
            {
                ByteShuffle.Unshuffle(shuffled, block, TypeSize);
            }
            else if (shuffled.Length >= TypeSize && (shuffled.Length / TypeSize) % 8 == 0)
            {
                BitShuffle.Unshuffle(shuffled, block, TypeSize);
            }
            else
            {
                shuffled.CopyTo(block);
            }
        }
    }

    private static bool DecompressSplit(int format, ReadOnlySpan<byte> part, Span<byte> output)
    {
        switch (format)
        {
            case BloscFormat.FormatLz4:
                return Lz4Block.Decompress(Codec, part, output) == output.Length;
            case BloscFormat.FormatZstd:
                return ZstdBlock.TryDecompressBlock(Codec, part, output);
            case BloscFormat.FormatBloscLz:
                return BloscLzDecoder.Decompress(part, output) == output.Length;
            default:
                try
                {
                    StreamDecoding.DecodeInto(Codec, part, s => new ZLibStream(s, CompressionMode.Decompress), output);
                    return true;
                }
                catch (CodecException)
                {
                    return false;
                }
        }
    }
}
