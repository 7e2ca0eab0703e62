using System.Text.Json.Nodes;
using ChunkCompute.Storage.Codecs.Native;
using ICSharpCode.SharpZipLib;
using ICSharpCode.SharpZipLib.BZip2;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// The numcodecs <c>bz2</c> codec (Zarr v3 name <c>numcodecs.bz2</c>): one bzip2 stream. Uses libbz2.so.1.0 (Debian
/// package libbz2-1.0) when it loads, else SharpZipLib's managed bzip2 (see <see cref="CodecBackends"/>).
/// </summary>
public sealed class Bz2Codec : IBytesToBytesCodec
{
    /// <summary>Creates the codec with block-size level <paramref name="level"/> (1-9, numcodecs' default 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="level"/> is outside 1..9.</exception>
    public Bz2Codec(int level = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 9);
        Level = level;
    }

    /// <summary>The compression level (bzip2 block size in 100 kB units).</summary>
    public int Level { get; }

    /// <inheritdoc/>
    public string Name => "numcodecs.bz2";

    /// <inheritdoc/>
    public JsonObject ToV3Json() => CodecHelpers.V3(Name, new JsonObject { ["level"] = Level });

    /// <inheritdoc/>
    public JsonObject? ToV2Json() => new() { ["id"] = "bz2", ["level"] = Level };

    /// <inheritdoc/>
    public byte[] Encode(ReadOnlySpan<byte> decoded)
    {
        if (!UseNative())
        {
            return StreamDecoding.Encode(decoded, s => new BZip2OutputStream(s, Level) { IsStreamOwner = false });
        }

        // bzip2's documented worst case: 1% larger plus 600 bytes.
        var capacity = checked(decoded.Length + (decoded.Length / 100) + 601);
        var dst = GC.AllocateUninitializedArray<byte>(capacity);
        var destLen = (uint)capacity;
        int rc;
        try
        {
            rc = Bz2Native.Compress(ref dst[0], ref destLen, ref CodecHelpers.Ref(decoded), (uint)decoded.Length, Level, 0, 0);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            throw NativeLibraryGuard.Missing(Bz2Native.Library, Bz2Native.Package, Name, ex);
        }

        if (rc != Bz2Native.Ok)
        {
            throw new CodecException(Name, $"bzip2 compression failed (error {rc})");
        }

        return dst.AsSpan(0, (int)destLen).ToArray();
    }

    /// <inheritdoc/>
    public int GetDecodedLength(ReadOnlySpan<byte> encoded) => -1;

    /// <inheritdoc/>
    public void Decode(ReadOnlySpan<byte> encoded, Span<byte> destination)
    {
        if (!UseNative())
        {
            try
            {
                StreamDecoding.DecodeInto(Name, encoded, s => new BZip2InputStream(s) { IsStreamOwner = false }, destination);
                return;
            }
            catch (Exception ex) when (IsManagedDecoderFailure(ex))
            {
                throw new CodecException(Name, $"corrupt input: {ex.Message}", ex);
            }
        }

        var destLen = (uint)destination.Length;
        var rc = Decompress(encoded, destination, ref destLen);
        if (rc == Bz2Native.OutBuffFull)
        {
            throw new CodecException(Name, $"decoded size mismatch: the stream holds more than the expected {destination.Length} bytes");
        }

        ThrowOnError(rc);
        if (destLen != (uint)destination.Length)
        {
            throw CodecHelpers.SizeMismatch(Name, destination.Length, destLen);
        }
    }

    /// <inheritdoc/>
    public byte[] Decode(ReadOnlySpan<byte> encoded) => Decode(encoded, StreamDecoding.MaxDecodedLength);

    /// <inheritdoc/>
    public byte[] Decode(ReadOnlySpan<byte> encoded, int maxDecodedLength)
    {
        CodecHelpers.CheckBound(maxDecodedLength);
        if (!UseNative())
        {
            try
            {
                return StreamDecoding.DecodeAll(Name, encoded, s => new BZip2InputStream(s) { IsStreamOwner = false }, maxDecodedLength);
            }
            catch (Exception ex) when (IsManagedDecoderFailure(ex))
            {
                throw new CodecException(Name, $"corrupt input: {ex.Message}", ex);
            }
        }

        // bzip2 streams declare no size: retry with a 4x larger buffer, never larger than the bound.
        long capacity = Math.Max(64 * 1024, (long)encoded.Length * 8);
        while (true)
        {
            var size = (int)Math.Min(capacity, maxDecodedLength);
            var buffer = GC.AllocateUninitializedArray<byte>(size);
            var destLen = (uint)size;
            var rc = Decompress(encoded, buffer, ref destLen);
            if (rc == Bz2Native.OutBuffFull)
            {
                if (size >= maxDecodedLength)
                {
                    throw CodecHelpers.TooLarge(Name, maxDecodedLength);
                }

                capacity *= 4;
                continue;
            }

            ThrowOnError(rc);
            return buffer.AsSpan(0, (int)destLen).ToArray();
        }
    }

    private int Decompress(ReadOnlySpan<byte> encoded, Span<byte> destination, ref uint destLen)
    {
        try
        {
            return Bz2Native.Decompress(ref CodecHelpers.Ref(destination), ref destLen, ref CodecHelpers.Ref(encoded), (uint)encoded.Length, 0, 0);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            throw NativeLibraryGuard.Missing(Bz2Native.Library, Bz2Native.Package, Name, ex);
        }
    }

    private void ThrowOnError(int rc)
    {
        switch (rc)
        {
            case Bz2Native.Ok:
                return;
            case Bz2Native.UnexpectedEof:
                throw CodecHelpers.Truncated(Name, "the bzip2 stream ends early");
            case Bz2Native.MemError:
                throw new OutOfMemoryException("bzip2 ran out of memory");
            default:
                throw new CodecException(Name, $"corrupt input: bzip2 error {rc}");
        }
    }

    // SharpZipLib reports some corrupt streams as an out-of-range index into its tables rather than a BZip2Exception.
    private static bool IsManagedDecoderFailure(Exception ex) => ex is SharpZipBaseException or IndexOutOfRangeException or ArgumentOutOfRangeException;

    private bool UseNative() => CodecBackends.UseNative(NativeCodecLibrary.Bz2, Name);
}
