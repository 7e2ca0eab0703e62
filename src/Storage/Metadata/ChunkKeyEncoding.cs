using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace ChunkCompute.Storage;

/// <summary>
/// How a chunk's grid index becomes a store key: Zarr v3 <c>default</c> (<c>c/1/2</c>, or <c>c.1.2</c>) or <c>v2</c>
/// (<c>1.2</c>, or <c>1/2</c>). A 0-d array's single chunk is <c>c</c> (default) or <c>0</c> (v2).
/// </summary>
public sealed record ChunkKeyEncoding(bool IsV2Style, char Separator)
{
    /// <summary>Zarr v3's default: <c>c/i/j</c>.</summary>
    public static ChunkKeyEncoding Default { get; } = new(false, '/');

    /// <summary>Zarr v2's default: <c>i.j</c>.</summary>
    public static ChunkKeyEncoding V2Dot { get; } = new(true, '.');

    /// <summary>The key of a chunk, relative to the array's path.</summary>
    public string Key(ReadOnlySpan<long> chunkIndex)
    {
        var sb = new StringBuilder(IsV2Style ? string.Empty : "c");
        if (chunkIndex.Length == 0)
        {
            return IsV2Style ? "0" : "c";
        }

        for (int d = 0; d < chunkIndex.Length; d++)
        {
            if (d > 0 || !IsV2Style)
            {
                sb.Append(Separator);
            }

            sb.Append(chunkIndex[d].ToString(CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    /// <summary>
    /// The grid index of a chunk key (relative to the array's path) of an array of <paramref name="rank"/> dimensions,
    /// or false when the key is not one this encoding produces.
    /// </summary>
    public bool TryParse(string key, int rank, out long[] chunkIndex)
    {
        ArgumentNullException.ThrowIfNull(key);
        chunkIndex = new long[rank];
        if (rank == 0)
        {
            return key == (IsV2Style ? "0" : "c");
        }

        string rest = key;
        if (!IsV2Style)
        {
            if (!key.StartsWith("c" + Separator, StringComparison.Ordinal))
            {
                return false;
            }

            rest = key[2..];
        }

        var parts = rest.Split(Separator);
        if (parts.Length != rank)
        {
            return false;
        }

        for (int d = 0; d < rank; d++)
        {
            if (parts[d].Length == 0 || !parts[d].All(char.IsAsciiDigit) || !long.TryParse(parts[d], NumberStyles.None, CultureInfo.InvariantCulture, out chunkIndex[d]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses a Zarr v3 <c>chunk_key_encoding</c> object.</summary>
    public static ChunkKeyEncoding FromV3(JsonNode? node)
    {
        if (node is null)
        {
            return Default;
        }

        string name = node is JsonValue v ? v.GetValue<string>() : node["name"]?.GetValue<string>() ?? throw new FormatException("chunk_key_encoding has no name");
        string sep = (node as JsonObject)?["configuration"]?["separator"]?.GetValue<string>() ?? (name == "v2" ? "." : "/");
        if (sep is not ("." or "/"))
        {
            throw new FormatException($"chunk key separator '{sep}' is not '.' or '/'");
        }

        return name switch
        {
            "default" => new ChunkKeyEncoding(false, sep[0]),
            "v2" => new ChunkKeyEncoding(true, sep[0]),
            _ => throw new UnsupportedCodecException(name, "chunk key encodings 'default' and 'v2' are supported"),
        };
    }

    /// <summary>The Zarr v3 metadata object.</summary>
    public JsonObject ToV3Json() => new()
    {
        ["name"] = IsV2Style ? "v2" : "default",
        ["configuration"] = new JsonObject { ["separator"] = Separator.ToString() },
    };
}
