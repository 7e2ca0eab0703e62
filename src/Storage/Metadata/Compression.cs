using System.Globalization;
using System.Text.Json.Nodes;
using ChunkCompute.Storage.Codecs;

namespace ChunkCompute.Storage;

/// <summary>
/// A compressor choice for new arrays, written as numcodecs JSON in Zarr v2 and as codecs in Zarr v3.
/// </summary>
public sealed class Compression
{
    private readonly Func<int, JsonObject?> _v2;
    private readonly Func<int, JsonObject[]> _v3;

    private Compression(string name, Func<int, JsonObject?> v2, Func<int, JsonObject[]> v3)
    {
        Name = name;
        _v2 = v2;
        _v3 = v3;
    }

    /// <summary>A short name for display, e.g. <c>blosc-lz4</c>.</summary>
    public string Name { get; }

    /// <summary>No compression.</summary>
    public static Compression None { get; } = new("none", _ => null, _ => []);

    /// <summary>Blosc with LZ4, level 5, byte shuffle: zarr-python 2's default, and ours (fast to decode).</summary>
    public static Compression Default => Blosc("lz4", 5, BloscShuffle.Shuffle);

    /// <summary>Blosc with a given internal compressor (lz4, lz4hc, zstd, zlib), level 0-9 and shuffle.</summary>
    public static Compression Blosc(string cname = "lz4", int level = 5, BloscShuffle shuffle = BloscShuffle.Shuffle)
    {
        if (cname is not ("lz4" or "lz4hc" or "zstd" or "zlib" or "blosclz"))
        {
            throw new ArgumentOutOfRangeException(nameof(cname), cname, "Blosc compressors are lz4, lz4hc, zstd, zlib and blosclz");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(level, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 9);
        return new Compression(
            "blosc-" + cname,
            _ => new JsonObject { ["blocksize"] = 0, ["clevel"] = level, ["cname"] = cname, ["id"] = "blosc", ["shuffle"] = (int)shuffle },
            size => [new JsonObject
            {
                ["name"] = "blosc",
                ["configuration"] = new JsonObject
                {
                    ["cname"] = cname,
                    ["clevel"] = level,
                    ["shuffle"] = shuffle switch { BloscShuffle.NoShuffle => "noshuffle", BloscShuffle.BitShuffle => "bitshuffle", _ => "shuffle" },
                    ["typesize"] = size,
                    ["blocksize"] = 0,
                },
            }
            ]);
    }

    /// <summary>Zstandard at a level (0 = the library default, 3); zarr-python 3's default compressor.</summary>
    public static Compression Zstd(int level = 0) => new(
        "zstd",
        _ => new JsonObject { ["id"] = "zstd", ["level"] = level }, // numcodecs < 0.12 rejects a "checksum" key
        _ => [new JsonObject { ["name"] = "zstd", ["configuration"] = new JsonObject { ["level"] = level, ["checksum"] = false } }]);

    /// <summary>gzip (RFC 1952) at level 0-9.</summary>
    public static Compression Gzip(int level = 5) => new(
        "gzip",
        _ => new JsonObject { ["id"] = "gzip", ["level"] = level },
        _ => [new JsonObject { ["name"] = "gzip", ["configuration"] = new JsonObject { ["level"] = level } }]);

    /// <summary>zlib (RFC 1950) at level 0-9; v3 writes it as <c>numcodecs.zlib</c>.</summary>
    public static Compression Zlib(int level = 5) => new(
        "zlib",
        _ => new JsonObject { ["id"] = "zlib", ["level"] = level },
        _ => [new JsonObject { ["name"] = "numcodecs.zlib", ["configuration"] = new JsonObject { ["level"] = level } }]);

    /// <summary>LZ4 in numcodecs' size-prefixed framing; v3 writes it as <c>numcodecs.lz4</c>.</summary>
    public static Compression Lz4(int acceleration = 1) => new(
        "lz4",
        _ => new JsonObject { ["acceleration"] = acceleration, ["id"] = "lz4" },
        _ => [new JsonObject { ["name"] = "numcodecs.lz4", ["configuration"] = new JsonObject { ["acceleration"] = acceleration } }]);

    /// <summary>
    /// Parses a command-line name: <c>none</c>, <c>lz4</c>, <c>zstd</c>, <c>gzip</c>, <c>zlib</c>, <c>blosc-lz4</c>,
    /// <c>blosc-zstd</c>, <c>blosc-lz4hc</c>, <c>blosc-zlib</c>; an optional <c>:LEVEL</c> suffix sets the level.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not one of these.</exception>
    public static Compression Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':', 2);
        int? level = parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : null;
        return parts[0].ToLowerInvariant() switch
        {
            "none" => None,
            "lz4" => Lz4(),
            "zstd" => Zstd(level ?? 0),
            "gzip" => Gzip(level ?? 5),
            "zlib" => Zlib(level ?? 5),
            "blosc" or "blosc-lz4" => Blosc("lz4", level ?? 5),
            "blosc-lz4hc" => Blosc("lz4hc", level ?? 9),
            "blosc-zstd" => Blosc("zstd", level ?? 5),
            "blosc-zlib" => Blosc("zlib", level ?? 5),
            _ => throw new ArgumentException($"unknown codec '{text}'; use none, lz4, zstd, gzip, zlib, blosc-lz4, blosc-lz4hc, blosc-zstd or blosc-zlib (optionally :LEVEL)", nameof(text)),
        };
    }

    /// <summary>The numcodecs compressor object for Zarr v2, or null for none.</summary>
    public JsonObject? ToV2Json(int elementSize) => _v2(elementSize);

    /// <summary>The bytes → bytes codecs for Zarr v3 (empty for none).</summary>
    public JsonObject[] ToV3Json(int elementSize) => _v3(elementSize);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
