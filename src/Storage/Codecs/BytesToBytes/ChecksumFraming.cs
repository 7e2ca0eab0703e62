using System.Buffers.Binary;

namespace ChunkCompute.Storage.Codecs;

/// <summary>Frames a payload with a 4-byte little-endian checksum before or after it, and takes such frames apart.</summary>
internal static class ChecksumFraming
{
    /// <summary>A verified payload as a new array, refused when it is longer than a decode may produce.</summary>
    public static byte[] PayloadWithin(string codec, ReadOnlySpan<byte> verifiedPayload, int maxDecodedLength)
    {
        CodecHelpers.CheckBound(maxDecodedLength);
        if (verifiedPayload.Length > maxDecodedLength)
        {
            throw CodecHelpers.TooLarge(codec, verifiedPayload.Length, maxDecodedLength);
        }

        return verifiedPayload.ToArray();
    }

    /// <summary>The payload with <paramref name="checksum"/> as a prefix or a trailer.</summary>
    internal static byte[] Encode(ReadOnlySpan<byte> payload, uint checksum, bool atEnd)
    {
        var result = GC.AllocateUninitializedArray<byte>(payload.Length + 4);
        payload.CopyTo(result.AsSpan(atEnd ? 0 : 4));
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(atEnd ? payload.Length : 0, 4), checksum);
        return result;
    }

    /// <summary>The payload part of <paramref name="encoded"/>; throws when it is shorter than a checksum.</summary>
    internal static ReadOnlySpan<byte> Payload(string codec, ReadOnlySpan<byte> encoded, bool atEnd)
    {
        if (encoded.Length < 4)
        {
            throw CodecHelpers.Truncated(codec, $"{encoded.Length} bytes is shorter than the 4-byte checksum");
        }

        return atEnd ? encoded[..^4] : encoded[4..];
    }

    /// <summary>Checks the stored checksum against <paramref name="computed"/>.</summary>
    internal static void Verify(string codec, ReadOnlySpan<byte> encoded, bool atEnd, uint computed)
    {
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(atEnd ? encoded[^4..] : encoded[..4]);
        if (stored != computed)
        {
            throw new CodecException(codec, $"checksum mismatch: stored 0x{stored:X8} computed 0x{computed:X8}");
        }
    }

    /// <summary>Copies a verified payload into a destination of the exact expected length.</summary>
    internal static void CopyPayload(string codec, ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        if (payload.Length != destination.Length)
        {
            throw CodecHelpers.SizeMismatch(codec, destination.Length, payload.Length);
        }

        payload.CopyTo(destination);
    }
}
