using System.Buffers;
using System.IO.Compression;

namespace ChunkCompute.Storage.Codecs;

/// <summary>Decoding through a System.IO.Compression stream, turning its failures into <see cref="CodecException"/>.</summary>
internal static class StreamDecoding
{
    /// <summary>
    /// The largest output accepted when the decoded size is unknown and no tighter bound is given (the largest .NET
    /// byte array). Chunk decodes always pass a bound derived from the chunk's size (see <see cref="CodecPipeline"/>).
    /// </summary>
    internal const int MaxDecodedLength = 0x7FFFFFC7;

    /// <summary>
    /// Checks a decoded result against the stream's own trailer, which System.IO.Compression does not verify: zlib's
    /// big-endian Adler-32, or gzip's CRC-32 and ISIZE of the last member (its data is the last ISIZE bytes).
    /// </summary>
    internal static void VerifyTrailer(string codec, ReadOnlySpan<byte> encoded, ReadOnlySpan<byte> decoded, bool gzip)
    {
        if (gzip)
        {
            if (encoded.Length < 18)
            {
                throw CodecHelpers.Truncated(codec, "shorter than a gzip header and trailer");
            }

            var crc = CodecHelpers.U32(encoded, encoded.Length - 8);
            var isize = CodecHelpers.U32(encoded, encoded.Length - 4);
            if (isize > (uint)decoded.Length || ZlibCrc32.Compute(decoded[(decoded.Length - (int)isize)..]) != crc)
            {
                throw new CodecException(codec, "corrupt or truncated input: the gzip trailer (CRC-32, size) does not match the data");
            }
        }
        else
        {
            if (encoded.Length < 6)
            {
                throw CodecHelpers.Truncated(codec, "shorter than a zlib header and trailer");
            }

            var stored = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(encoded[^4..]);
            var computed = Adler32Checksum.Compute(decoded);
            if (stored != computed)
            {
                throw new CodecException(codec, $"corrupt or truncated input: checksum mismatch: stored 0x{stored:X8} computed 0x{computed:X8}");
            }
        }
    }

    /// <summary>Fills <paramref name="destination"/> exactly; fails when the stream is shorter or longer.</summary>
    internal static void DecodeInto(string codec, ReadOnlySpan<byte> encoded, Func<Stream, Stream> open, Span<byte> destination)
    {
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(1, encoded.Length));
        try
        {
            encoded.CopyTo(rented);
            using var input = new MemoryStream(rented, 0, encoded.Length, writable: false);
            using var stream = open(input);
            var total = 0;
            while (total < destination.Length)
            {
                var n = stream.Read(destination[total..]);
                if (n == 0)
                {
                    throw CodecHelpers.SizeMismatch(codec, destination.Length, total);
                }

                total += n;
            }

            Span<byte> probe = stackalloc byte[1];
            if (stream.Read(probe) != 0)
            {
                throw new CodecException(codec, $"decoded size mismatch: the stream holds more than the expected {destination.Length} bytes");
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or NotSupportedException)
        {
            throw new CodecException(codec, $"corrupt input: {ex.Message}", ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Decodes the whole stream when its length is not known in advance, refusing (with a <see cref="CodecException"/>)
    /// any stream that decodes to more than <paramref name="maxDecodedLength"/> bytes: the output buffer grows by
    /// doubling but never past the bound, so a decompression bomb costs at most the bound in memory.
    /// </summary>
    internal static byte[] DecodeAll(string codec, ReadOnlySpan<byte> encoded, Func<Stream, Stream> open, int maxDecodedLength)
    {
        try
        {
            using var input = new MemoryStream(encoded.ToArray(), writable: false);
            using var stream = open(input);
            var output = new CappedOutput(codec, Math.Max(256L, encoded.Length * 4L), maxDecodedLength);
            while (true)
            {
                var span = output.GetSpan();
                if (span.IsEmpty)
                {
                    // The buffer is full at the bound: any further byte is one too many.
                    Span<byte> probe = stackalloc byte[1];
                    if (stream.Read(probe) != 0)
                    {
                        throw CodecHelpers.TooLarge(codec, maxDecodedLength);
                    }

                    break;
                }

                var n = stream.Read(span);
                if (n == 0)
                {
                    break;
                }

                output.Advance(n);
            }

            return output.ToArray();
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or NotSupportedException)
        {
            throw new CodecException(codec, $"corrupt input: {ex.Message}", ex);
        }
    }

    /// <summary>Compresses with <paramref name="open"/> into a new array.</summary>
    internal static byte[] Encode(ReadOnlySpan<byte> decoded, Func<Stream, Stream> open)
    {
        using var output = new MemoryStream((decoded.Length / 2) + 64);
        using (var stream = open(output))
        {
            stream.Write(decoded);
        }

        return output.ToArray();
    }

    /// <summary>zlib options for a numcodecs-style level (0-9; -1 = zlib's default 6).</summary>
    internal static ZLibCompressionOptions Options(int level) => new() { CompressionLevel = level < 0 ? 6 : level };
}
