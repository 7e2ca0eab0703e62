using System.Globalization;
using System.Text.Json.Nodes;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Codecs;

namespace ChunkCompute.Cli.Commands;

/// <summary>Parsers for option values (chunk lists, slices, sizes, codecs, formats) and small formatting helpers.</summary>
internal static class CliParsing
{
    public static int[] ParseChunks(string text, int rank)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != rank)
        {
            throw new UsageException($"--chunks '{text}' has {parts.Length} values but the array has {rank} dimensions");
        }

        return parts.Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0
            ? v
            : throw new UsageException($"--chunks '{text}': '{p}' is not a positive integer")).ToArray();
    }

    /// <summary>Chunks of about <paramref name="targetBytes"/>: halve the largest dimension until the chunk fits.</summary>
    public static int[] AutoChunks(long[] shape, int elementSize, long targetBytes = 4L << 20)
    {
        var chunks = shape.Select(s => (int)Math.Clamp(s, 1, int.MaxValue)).ToArray();
        while (chunks.Aggregate((long)elementSize, (a, b) => a * b) > targetBytes)
        {
            int largest = Array.IndexOf(chunks, chunks.Max());
            chunks[largest] = (chunks[largest] + 1) / 2;
        }

        return chunks;
    }

    /// <summary>Parses NumPy basic slicing: "0:100,:", "5", "::2", "-10:", "::-1".</summary>
    public static SliceSpec[] ParseSlice(string? text, IReadOnlyList<long> shape)
    {
        var specs = new SliceSpec[shape.Count];
        var parts = string.IsNullOrWhiteSpace(text) ? [] : text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length > shape.Count)
        {
            throw new UsageException($"--slice '{text}' has {parts.Length} entries but the array has {shape.Count} dimensions");
        }

        for (int d = 0; d < shape.Count; d++)
        {
            specs[d] = d < parts.Length ? ParseOne(parts[d], shape[d], d, text!) : new SliceSpec(0, 1, shape[d], false);
        }

        return specs;
    }

    private static SliceSpec ParseOne(string part, long size, int dim, string text)
    {
        if (!part.Contains(':', StringComparison.Ordinal))
        {
            long i = ParseLong(part, text);
            long idx = i < 0 ? i + size : i;
            if (idx < 0 || idx >= size)
            {
                throw new UsageException($"--slice '{text}': index {i} is out of range for dimension {dim} of size {size}");
            }

            return new SliceSpec(idx, 1, 1, true);
        }

        var f = part.Split(':');
        if (f.Length > 3)
        {
            throw new UsageException($"--slice '{text}': '{part}' has too many ':'");
        }

        long step = f.Length == 3 && f[2].Length > 0 ? ParseLong(f[2], text) : 1;
        if (step == 0)
        {
            throw new UsageException($"--slice '{text}': step cannot be zero");
        }

        // NumPy's PySlice_AdjustIndices.
        long start, stop;
        if (step > 0)
        {
            start = f[0].Length == 0 ? 0 : Clamp(ParseLong(f[0], text), size, 0, size);
            stop = f[1].Length == 0 ? size : Clamp(ParseLong(f[1], text), size, 0, size);
            long count = stop > start ? ((stop - start - 1) / step) + 1 : 0;
            return new SliceSpec(start, step, count, false);
        }

        start = f[0].Length == 0 ? size - 1 : Clamp(ParseLong(f[0], text), size, -1, size - 1);
        stop = f[1].Length == 0 ? -1 : Clamp(ParseLong(f[1], text), size, -1, size - 1);
        long n = start > stop ? ((start - stop - 1) / -step) + 1 : 0;
        return new SliceSpec(start, step, n, false);
    }

    private static long Clamp(long v, long size, long lo, long hi)
    {
        if (v < 0)
        {
            v += size;
        }

        return Math.Clamp(v, lo, hi);
    }

    private static long ParseLong(string s, string text) =>
        long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v)
            ? v
            : throw new UsageException($"--slice '{text}': '{s}' is not an integer");

    /// <summary>Parses a size such as <c>512MiB</c>, <c>2GiB</c>, <c>1.5GB</c>, <c>4096</c> (bytes).</summary>
    public static long ParseSize(string text, string option)
    {
        var t = text.Trim();
        int split = 0;
        while (split < t.Length && (char.IsAsciiDigit(t[split]) || t[split] == '.'))
        {
            split++;
        }

        if (split == 0 || !double.TryParse(t[..split], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number))
        {
            throw new UsageException($"{option} '{text}' is not a size like 512MiB or 2GiB");
        }

        double factor = t[split..].Trim().ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KB" => 1e3,
            "KIB" => 1024,
            "M" or "MB" => 1e6,
            "MIB" => 1 << 20,
            "G" or "GB" => 1e9,
            "GIB" => 1 << 30,
            "T" or "TB" => 1e12,
            "TIB" => 1L << 40,
            _ => throw new UsageException($"{option} '{text}': unknown unit '{t[split..]}' (use B, KiB, MiB, GiB, TiB, KB, MB, GB, TB)"),
        };
        double bytes = number * factor;
        if (bytes < 1 || bytes > long.MaxValue)
        {
            throw new UsageException($"{option} '{text}' is out of range");
        }

        return (long)bytes;
    }

    /// <summary>Parses <c>--codec</c>; a bad name or level is a usage error.</summary>
    public static Compression ParseCodec(string text)
    {
        try
        {
            return Compression.Parse(text);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
        {
            throw new UsageException("--codec: " + ex.Message);
        }
    }

    /// <summary>Parses <c>--delimiter</c>: one character, or <c>tab</c> / <c>\t</c>.</summary>
    public static char ParseDelimiter(string? text, char fallback) => text switch
    {
        null => fallback,
        "tab" or "\\t" or "\t" => '\t',
        { Length: 1 } when text[0] is not ('"' or '\r' or '\n') && !char.IsAsciiDigit(text[0]) && text[0] is not ('.' or '-' or '+') => text[0],
        _ => throw new UsageException($"--delimiter '{text}' must be one character (not a digit, sign, '.', or quote), or 'tab'"),
    };

    /// <summary>The <see cref="ZarrFormat"/> for a <c>--format</c> choice, null for the default.</summary>
    public static ZarrFormat? ToZarrFormat(ZarrFormatChoice choice) => choice switch
    {
        ZarrFormatChoice.V2 => ZarrFormat.V2,
        ZarrFormatChoice.V3 => ZarrFormat.V3,
        _ => null,
    };

    /// <summary>
    /// The compressor of a stored array as a <see cref="Compression"/> to write it again with (blosc, zstd, gzip,
    /// zlib, lz4 or none), or null when its codecs have no such equivalent (e.g. bz2).
    /// </summary>
    public static Compression? CompressionOf(ArrayMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        Compression? found = Compression.None;
        foreach (var codec in metadata.Codecs.ToV3Json().OfType<JsonObject>())
        {
            string name = codec["name"]?.GetValue<string>() ?? string.Empty;
            var cfg = codec["configuration"] as JsonObject;
            int Level(string key, int fallback) => cfg?[key] is JsonValue v && v.TryGetValue(out int i) ? i : fallback;
            switch (name)
            {
                case "bytes" or "transpose" or "crc32c" or "numcodecs.crc32" or "numcodecs.adler32" or "numcodecs.fletcher32":
                    continue;
                case "blosc":
                    string cname = cfg?["cname"]?.GetValue<string>() ?? "lz4";
                    var shuffle = cfg?["shuffle"] is JsonValue sv && sv.TryGetValue(out int si) ? (BloscShuffle)si
                        : cfg?["shuffle"]?.ToString() switch
                        {
                            "noshuffle" => BloscShuffle.NoShuffle,
                            "bitshuffle" => BloscShuffle.BitShuffle,
                            _ => BloscShuffle.Shuffle,
                        };
                    found = cname is "lz4" or "lz4hc" or "zstd" or "zlib" ? Compression.Blosc(cname, Level("clevel", 5), shuffle) : null;
                    break;
                case "zstd":
                    found = Compression.Zstd(Level("level", 0));
                    break;
                case "gzip":
                    found = Compression.Gzip(Level("level", 5));
                    break;
                case "numcodecs.zlib" or "zlib":
                    found = Compression.Zlib(Level("level", 5));
                    break;
                case "numcodecs.lz4" or "lz4":
                    found = Compression.Lz4(Level("acceleration", 1));
                    break;
                default:
                    return null;
            }
        }

        return found;
    }

    /// <summary>A shape as a JSON array.</summary>
    public static JsonArray ToJson(IEnumerable<long> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    /// <summary>A chunk list as a JSON array.</summary>
    public static JsonArray ToJson(IEnumerable<int> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    /// <summary>Seconds for people: <c>0.42 s</c>.</summary>
    public static string Seconds(double seconds) => seconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";

    public static ZarrFormatChoice ParseFormat(string? text) => text?.ToLowerInvariant() switch
    {
        null => ZarrFormatChoice.Default,
        "v2" or "2" => ZarrFormatChoice.V2,
        "v3" or "3" => ZarrFormatChoice.V3,
        _ => throw new UsageException($"--format '{text}' is not v2 or v3"),
    };
}

/// <summary>One dimension of a parsed slice: first index, step, output count, and whether the dimension is dropped.</summary>
internal readonly record struct SliceSpec(long Start, long Step, long Count, bool Dropped);

/// <summary>A --format value.</summary>
internal enum ZarrFormatChoice
{
    Default,
    V2,
    V3,
}
