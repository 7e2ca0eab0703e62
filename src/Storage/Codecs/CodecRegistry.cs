using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// Builds bytes → bytes codecs from metadata: numcodecs objects of a Zarr v2 <c>.zarray</c> (<c>compressor</c>) and
/// <c>{"name", "configuration"}</c> entries of a Zarr v3 codec chain.
/// </summary>
public static class CodecRegistry
{
    /// <summary>Creates the codec for a numcodecs JSON object (<c>{"id": …, …}</c>).</summary>
    /// <param name="numcodecsJson">The compressor object of a <c>.zarray</c>.</param>
    /// <param name="elementSize">The array's element size in bytes (Blosc's typesize).</param>
    /// <exception cref="UnsupportedCodecException">The id is unknown or an option is unsupported.</exception>
    public static IBytesToBytesCodec CreateBytesToBytesFromV2(JsonObject numcodecsJson, int elementSize)
    {
        ArgumentNullException.ThrowIfNull(numcodecsJson);
        var id = GetString(numcodecsJson, "id", "?", null) ?? throw new UnsupportedCodecException("?", "the codec object has no \"id\"");
        return id switch
        {
            "blosc" => Blosc(id, numcodecsJson, elementSize, v3: false),
            "gzip" => Wrap(id, () => new GzipCodec(GetInt(numcodecsJson, "level", id, 1))),
            "zlib" => Wrap(id, () => new ZlibCodec(GetInt(numcodecsJson, "level", id, 1))),
            "zstd" => Wrap(id, () => new ZstdCodec(GetInt(numcodecsJson, "level", id, 1), GetBool(numcodecsJson, "checksum", id, false))),
            "lz4" => Wrap(id, () => new Lz4Codec(GetInt(numcodecsJson, "acceleration", id, 1))),
            "bz2" => Wrap(id, () => new Bz2Codec(GetInt(numcodecsJson, "level", id, 1))),
            "crc32" => new Crc32Codec(AtEnd(numcodecsJson, id)),
            "adler32" => new Adler32Codec(AtEnd(numcodecsJson, id)),
            "fletcher32" => new Fletcher32Codec(),
            _ => throw new UnsupportedCodecException(id, "ChunkCompute does not implement this numcodecs compressor"),
        };
    }

    /// <summary>
    /// Creates the bytes → bytes codec for a Zarr v3 codec entry, or returns null when <paramref name="name"/> is not a
    /// bytes → bytes codec (e.g. <c>bytes</c>, <c>transpose</c>, <c>sharding_indexed</c>, or a name this library does not
    /// know), which the array layer handles.
    /// </summary>
    /// <exception cref="UnsupportedCodecException">A known bytes → bytes codec with unsupported options.</exception>
    public static IBytesToBytesCodec? TryCreateBytesToBytesFromV3(string name, JsonObject? configuration, int elementSize)
    {
        ArgumentNullException.ThrowIfNull(name);
        var c = configuration ?? new JsonObject();
        return name switch
        {
            "blosc" or "numcodecs.blosc" => Blosc(name, c, elementSize, v3: true),
            "gzip" or "numcodecs.gzip" => Wrap(name, () => new GzipCodec(GetInt(c, "level", name, 5))),
            "zstd" or "numcodecs.zstd" => Wrap(name, () => new ZstdCodec(GetInt(c, "level", name, 0), GetBool(c, "checksum", name, false))),
            "numcodecs.zlib" => Wrap(name, () => new ZlibCodec(GetInt(c, "level", name, 1))),
            "numcodecs.lz4" => Wrap(name, () => new Lz4Codec(GetInt(c, "acceleration", name, 1))),
            "numcodecs.bz2" => Wrap(name, () => new Bz2Codec(GetInt(c, "level", name, 1))),
            "crc32c" => new Crc32cCodec(),
            "numcodecs.crc32" => new Crc32Codec(AtEnd(c, name)),
            "numcodecs.adler32" => new Adler32Codec(AtEnd(c, name)),
            "numcodecs.fletcher32" => new Fletcher32Codec(),
            "numcodecs.lzma" => throw new UnsupportedCodecException(name, "lzma is not implemented"),
            _ => null,
        };
    }

    private static BloscCodec Blosc(string codec, JsonObject json, int elementSize, bool v3)
    {
        var compressor = BloscCodec.ParseCompressor(GetString(json, "cname", codec, "lz4") ?? "lz4");
        var level = GetInt(json, "clevel", codec, 5);
        var blocksize = GetInt(json, "blocksize", codec, 0);
        var typesize = elementSize;
        BloscShuffle shuffle;
        var node = json["shuffle"];
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            shuffle = value.GetValue<string>() switch
            {
                "noshuffle" => BloscShuffle.NoShuffle,
                "shuffle" => BloscShuffle.Shuffle,
                "bitshuffle" => BloscShuffle.BitShuffle,
                var other => throw new UnsupportedCodecException(codec, $"unknown shuffle '{other}'"),
            };
        }
        else
        {
            shuffle = GetInt(json, "shuffle", codec, v3 ? 0 : 1) switch
            {
                -1 => BloscCodec.AutoShuffle(elementSize),
                0 => BloscShuffle.NoShuffle,
                1 => BloscShuffle.Shuffle,
                2 => BloscShuffle.BitShuffle,
                var other => throw new UnsupportedCodecException(codec, $"unknown shuffle {other}"),
            };
        }

        if (v3 && json["typesize"] is JsonValue ts && ts.GetValueKind() == JsonValueKind.Number && ts.GetValue<int>() > 0)
        {
            typesize = ts.GetValue<int>();
        }

        return Wrap(codec, () => new BloscCodec(compressor, level, shuffle, Math.Max(1, typesize), blocksize));
    }

    private static T Wrap<T>(string codec, Func<T> create)
    {
        try
        {
            return create();
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new UnsupportedCodecException(codec, $"option out of range: {ex.Message}");
        }
    }

    private static bool AtEnd(JsonObject json, string codec) => GetString(json, "location", codec, "start") switch
    {
        "start" or null => false,
        "end" => true,
        var other => throw new UnsupportedCodecException(codec, $"unknown checksum location '{other}'"),
    };

    private static int GetInt(JsonObject json, string key, string codec, int fallback)
    {
        var node = json[key];
        if (node is null)
        {
            return fallback;
        }

        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var i))
        {
            return i;
        }

        if (node is JsonValue d && d.GetValueKind() == JsonValueKind.Number && d.TryGetValue<double>(out var x) && x == Math.Floor(x) && Math.Abs(x) < int.MaxValue)
        {
            return (int)x;
        }

        throw new UnsupportedCodecException(codec, $"option '{key}' must be an integer, got {node.ToJsonString()}");
    }

    private static bool GetBool(JsonObject json, string key, string codec, bool fallback)
    {
        var node = json[key];
        return node switch
        {
            null => fallback,
            JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
            _ => throw new UnsupportedCodecException(codec, $"option '{key}' must be a boolean, got {node.ToJsonString()}"),
        };
    }

    private static string? GetString(JsonObject json, string key, string codec, string? fallback)
    {
        var node = json[key];
        return node switch
        {
            null => fallback,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            _ => throw new UnsupportedCodecException(codec, $"option '{key}' must be a string, got {node.ToJsonString()}"),
        };
    }
}
