namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// A bounds-checked decoder for BloscLZ (c-blosc <c>blosc/blosclz.c</c>), a FastLZ-style LZ77 format. A control byte
/// below 32 starts a literal run of <c>ctrl + 1</c> bytes. Otherwise it is a match: length <c>(ctrl &gt;&gt; 5) + 2</c>
/// (length code 7 is extended by following bytes while they are 255), then a distance byte; distance =
/// <c>((ctrl &amp; 31) &lt;&lt; 8) + byte + 1</c>, and the escape <c>(31, 255)</c> reads a big-endian u16 for a far
/// distance of <c>u16 + 8192</c>. The first control byte's top three bits are a format marker and are ignored.
/// </summary>
internal static class BloscLzDecoder
{
    private const int MaxDistance = 8191;

    /// <summary>Decodes <paramref name="input"/> into <paramref name="output"/>; returns bytes written, or -1 when malformed.</summary>
    internal static int Decompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (input.IsEmpty)
        {
            return -1;
        }

        var ip = 0;
        var op = 0;
        var ipLimit = input.Length;
        var opLimit = output.Length;
        var ctrl = input[ip++] & 31;
        while (true)
        {
            if (ctrl >= 32)
            {
                var len = (ctrl >> 5) - 1;
                var ofs = (ctrl & 31) << 8;
                if (len == 6)
                {
                    int code;
                    do
                    {
                        if (ip >= ipLimit)
                        {
                            return -1;
                        }

                        code = input[ip++];
                        len += code;
                    }
                    while (code == 255);
                }

                if (ip >= ipLimit)
                {
                    return -1;
                }

                var low = input[ip++];
                len += 3;
                var distance = ofs + low + 1;
                if (low == 255 && ofs == (31 << 8))
                {
                    if (ip + 1 >= ipLimit)
                    {
                        return -1;
                    }

                    distance = (input[ip] << 8) + input[ip + 1] + MaxDistance + 1;
                    ip += 2;
                }

                if (len > opLimit - op || distance > op)
                {
                    return -1;
                }

                var from = op - distance;
                if (distance >= len)
                {
                    output.Slice(from, len).CopyTo(output.Slice(op, len));
                }
                else if (distance == 1)
                {
                    output.Slice(op, len).Fill(output[op - 1]);
                }
                else
                {
                    // Overlapping copy: the pattern repeats with period `distance`.
                    for (var i = 0; i < len; i++)
                    {
                        output[op + i] = output[from + i];
                    }
                }

                op += len;
            }
            else
            {
                var run = ctrl + 1;
                if (run > opLimit - op || run > ipLimit - ip)
                {
                    return -1;
                }

                input.Slice(ip, run).CopyTo(output.Slice(op, run));
                ip += run;
                op += run;
            }

            if (ip >= ipLimit)
            {
                return op;
            }

            ctrl = input[ip++];
        }
    }
}
