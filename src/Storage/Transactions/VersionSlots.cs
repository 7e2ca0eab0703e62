using System.Buffers.Text;
using System.IO.Hashing;
using System.Text;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// The bytes of the <c>version</c> file, the commit point. Two slots, each at the start of its own 512-byte sector; a
/// commit overwrites the slot that does not hold the current version and flushes it, so a write torn by a power loss
/// leaves the other slot (the version before) readable. A slot is one line of text, <c>v1 VERSION CRC\n</c> (the
/// version in 19 digits, the CRC-32 of the text before it in 8 hex digits), padded with spaces to its sector, whose
/// last byte is a newline: <c>cat</c> shows both. The version is the highest one held by a slot whose check matches.
/// A file of a single number (the format before, replaced by renames) still reads.
/// </summary>
internal static class VersionSlots
{
    /// <summary>The size of one slot's sector.</summary>
    public const int SlotSpan = 512;

    /// <summary>The size of the file.</summary>
    public const int FileLength = 2 * SlotSpan;

    private const int TextLength = 3 + 19 + 1 + 8 + 1; // "v1 " digits " " crc "\n"
    private const int CheckedLength = 3 + 19;

    /// <summary>A version file whose first slot holds <paramref name="version"/> and whose second is empty.</summary>
    public static byte[] NewFile(long version)
    {
        var bytes = new byte[FileLength];
        Blank(bytes.AsSpan(0, SlotSpan));
        Blank(bytes.AsSpan(SlotSpan));
        Slot(version).CopyTo(bytes, 0);
        return bytes;
    }

    /// <summary>The text of a slot holding <paramref name="version"/> (its sector's padding stays as it is).</summary>
    public static byte[] Slot(long version)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        var text = new byte[TextLength];
        "v1 "u8.CopyTo(text);
        Encoding.ASCII.GetBytes(version.ToString("D19", System.Globalization.CultureInfo.InvariantCulture), text.AsSpan(3));
        uint crc = Crc32.HashToUInt32(text.AsSpan(0, CheckedLength));
        text[CheckedLength] = (byte)' ';
        Encoding.ASCII.GetBytes(crc.ToString("x8", System.Globalization.CultureInfo.InvariantCulture), text.AsSpan(CheckedLength + 1));
        text[^1] = (byte)'\n';
        return text;
    }

    /// <summary>
    /// Reads a version file. Returns the version and the index of the slot holding it (-1 for the one-number format
    /// before), or null when the bytes are neither format or no slot holds a valid version.
    /// </summary>
    public static (long Version, int Slot)? Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < FileLength)
        {
            // The format before: one decimal number (and a newline), replaced whole by a rename.
            var text = bytes.Trim(" \n\r\t"u8);
            return text.Length is > 0 and <= 19 && Utf8Parser.TryParse(text, out long v, out int used) && used == text.Length && v >= 0 && IsDigits(text)
                ? (v, -1)
                : null;
        }

        if (bytes.Length != FileLength)
        {
            return null;
        }

        long? best = null;
        int bestSlot = -1;
        for (int slot = 0; slot < 2; slot++)
        {
            if (ReadSlot(bytes.Slice(slot * SlotSpan, TextLength)) is { } v && (best is null || v > best))
            {
                best = v;
                bestSlot = slot;
            }
        }

        return best is { } found ? (found, bestSlot) : null;
    }

    private static long? ReadSlot(ReadOnlySpan<byte> text)
    {
        if (!text.StartsWith("v1 "u8) || text[CheckedLength] != (byte)' ' || text[^1] != (byte)'\n')
        {
            return null;
        }

        var digits = text[3..CheckedLength];
        var hex = text[(CheckedLength + 1)..^1];
        if (!IsDigits(digits) || !Utf8Parser.TryParse(digits, out long version, out int used) || used != digits.Length
            || !Utf8Parser.TryParse(hex, out uint crc, out used, 'x') || used != hex.Length)
        {
            return null;
        }

        return Crc32.HashToUInt32(text[..CheckedLength]) == crc ? version : null;
    }

    private static bool IsDigits(ReadOnlySpan<byte> text)
    {
        foreach (byte b in text)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
        }

        return true;
    }

    private static void Blank(Span<byte> sector)
    {
        sector.Fill((byte)' ');
        sector[^1] = (byte)'\n';
    }
}
