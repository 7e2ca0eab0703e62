using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace ChunkCompute.Storage.Npy;

/// <summary>Reads, validates and writes the <c>.npy</c> preamble and header dictionary.</summary>
internal static class NpyHeaderCodec
{
    /// <summary>The six magic bytes every .npy file starts with.</summary>
    public static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    private const int Alignment = 64;

    /// <summary>Reads the header from the current position of <paramref name="stream"/>, leaving it at the data.</summary>
    public static NpyHeader Read(Stream stream, string name)
    {
        Span<byte> pre = stackalloc byte[12];
        var got = ReadFully(stream, pre[..8]);
        if (got < 6 || !pre[..6].SequenceEqual(Magic))
        {
            if (got >= 6 || !pre[..got].SequenceEqual(Magic[..got]))
            {
                throw new NpyFormatException(name, "bad magic: not a NumPy .npy file (expected \\x93NUMPY)");
            }
        }

        if (got < 8)
        {
            throw new NpyFormatException(name, $"truncated header: file ends after {got} bytes, inside the preamble");
        }

        var major = pre[6];
        var minor = pre[7];
        int lengthSize = (major, minor) switch
        {
            (1, 0) => 2,
            (2, 0) or (3, 0) => 4,
            _ => throw new NpyFormatException(name, $"unsupported format version {major}.{minor} (supported: 1.0, 2.0, 3.0)"),
        };
        got = ReadFully(stream, pre.Slice(8, lengthSize));
        if (got < lengthSize)
        {
            throw new NpyFormatException(name, "truncated header: file ends inside the header length field");
        }

        var headerLength = lengthSize == 2
            ? BinaryPrimitives.ReadUInt16LittleEndian(pre[8..])
            : (long)BinaryPrimitives.ReadUInt32LittleEndian(pre[8..]);
        if (headerLength > 64 * 1024 * 1024)
        {
            throw new NpyFormatException(name, $"header length {headerLength} is implausibly large");
        }

        // The length field is untrusted: read what is there, growing the buffer as bytes arrive, so a 12-byte file that
        // claims a 64 MiB header costs 64 KiB, not 64 MiB.
        var headerBytes = ReadGrowing(stream, headerLength, out long headerGot);
        if (headerGot < headerLength)
        {
            throw new NpyFormatException(name, $"truncated header: the header promises {headerLength} bytes but the file ends after {headerGot}");
        }

        string text;
        try
        {
            text = major == 3
                ? new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(headerBytes)
                : Encoding.Latin1.GetString(headerBytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new NpyFormatException(name, "malformed header: not valid UTF-8", e);
        }

        var dataOffset = 8 + lengthSize + headerLength;
        return Parse(text, (major, minor), dataOffset, name);
    }

    /// <summary>Parses the header dictionary text.</summary>
    public static NpyHeader Parse(string text, (byte Major, byte Minor) version, long dataOffset, string name)
    {
        var parser = new NpyDictParser(text, name);
        var dict = parser.ParseDict();
        foreach (var key in dict.Keys)
        {
            if (key is not ("descr" or "fortran_order" or "shape"))
            {
                throw parser.Error($"unexpected key '{key}' (expected exactly 'descr', 'fortran_order', 'shape')");
            }
        }

        if (!dict.TryGetValue("descr", out var descrValue) || !dict.TryGetValue("fortran_order", out var fortranValue) || !dict.TryGetValue("shape", out var shapeValue))
        {
            throw parser.Error("missing key (expected exactly 'descr', 'fortran_order', 'shape')");
        }

        string descr;
        if (descrValue is NpyRawValue raw)
        {
            throw new NpyFormatException(name, $"unsupported dtype '{raw.Text}' (structured dtypes are not supported)");
        }
        else if (descrValue is string s)
        {
            descr = s;
        }
        else
        {
            throw parser.Error("'descr' must be a string");
        }

        if (!NpyDataType.TryParse(descr, out var dataType, out var reason))
        {
            throw new NpyFormatException(name, reason);
        }

        if (fortranValue is not bool fortran)
        {
            throw parser.Error("'fortran_order' must be True or False");
        }

        if (shapeValue is not List<long> dims)
        {
            throw parser.Error("'shape' must be a tuple of integers");
        }

        var shape = dims.ToArray();
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0)
            {
                throw parser.Error($"negative dimension {d} in shape");
            }

            try
            {
                count = checked(count * d);
                _ = checked(count * dataType.ElementSize);
            }
            catch (OverflowException)
            {
                throw parser.Error("shape overflows the element count");
            }
        }

        return new NpyHeader(version, descr, dataType, fortran, shape, dataOffset, count);
    }

    /// <summary>
    /// Builds the full preamble + header bytes for a file, padded with spaces and a final newline so the data starts at
    /// a multiple of 64 bytes. Uses version 1.0 when the header fits a 16-bit length, else 2.0.
    /// </summary>
    public static byte[] Build(string descr, bool fortranOrder, long[] shape)
    {
        var sb = new StringBuilder();
        sb.Append("{'descr': '").Append(descr).Append("', 'fortran_order': ").Append(fortranOrder ? "True" : "False").Append(", 'shape': (");
        sb.AppendJoin(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        if (shape.Length == 1)
        {
            sb.Append(',');
        }

        sb.Append("), }");
        var dict = sb.ToString();

        // Version 1.0: 10-byte preamble; version 2.0: 12 bytes.
        foreach (var (major, pre) in new[] { (1, 10), (2, 12) })
        {
            var unpadded = pre + dict.Length + 1;
            var total = (unpadded + Alignment - 1) / Alignment * Alignment;
            var headerLength = total - pre;
            if (major == 1 && headerLength > ushort.MaxValue)
            {
                continue;
            }

            var bytes = new byte[total];
            Magic.CopyTo(bytes);
            bytes[6] = (byte)major;
            bytes[7] = 0;
            if (major == 1)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)headerLength);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)headerLength);
            }

            Encoding.ASCII.GetBytes(dict, bytes.AsSpan(pre));
            bytes.AsSpan(pre + dict.Length, total - pre - dict.Length - 1).Fill((byte)' ');
            bytes[^1] = (byte)'\n';
            return bytes;
        }

        throw new InvalidOperationException("unreachable");
    }

    /// <summary>
    /// Reads up to <paramref name="length"/> (at most <see cref="Array.MaxLength"/>) bytes, allocating in step with the
    /// bytes actually read (doubling from 16 KiB) rather than trusting the length up front. Returns the buffer (exactly
    /// <paramref name="length"/> bytes when <paramref name="got"/> equals it) and how many bytes were read.
    /// </summary>
    public static byte[] ReadGrowing(Stream stream, long length, out long got)
    {
        var buffer = GC.AllocateUninitializedArray<byte>((int)Math.Min(length, 16 * 1024));
        long total = 0;
        while (true)
        {
            total += ReadFully(stream, buffer.AsSpan((int)total));
            if (total < buffer.Length || total == length)
            {
                got = total;
                return buffer;
            }

            var next = GC.AllocateUninitializedArray<byte>((int)Math.Min(length, (long)buffer.Length * 2));
            buffer.AsSpan().CopyTo(next);
            buffer = next;
        }
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns the bytes read.</summary>
    public static int ReadFully(Stream stream, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = stream.Read(buffer[total..]);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
