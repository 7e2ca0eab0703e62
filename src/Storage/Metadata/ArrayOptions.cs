using System.Text.Json.Nodes;

namespace ChunkCompute.Storage;

/// <summary>Choices for a new array beyond its type, shape and chunks. Every property has a sensible default.</summary>
public sealed class ArrayOptions
{
    /// <summary>Zarr v2 or v3; null means the store's default (v3 unless the store says otherwise).</summary>
    public ZarrFormat? Format { get; init; }

    /// <summary>The compressor; null means <see cref="Compression.Default"/> (Blosc LZ4, byte shuffle).</summary>
    public Compression? Compression { get; init; }

    /// <summary>The fill value as JSON (a number, true/false, "NaN", "Infinity", "-Infinity"); null means 0.</summary>
    public JsonNode? FillValue { get; init; }

    /// <summary>User attributes stored with the array.</summary>
    public JsonObject? Attributes { get; init; }

    /// <summary>Store chunks in Fortran (column-major) order: v2 <c>order: "F"</c>, v3 a <c>transpose</c> codec.</summary>
    public bool FortranOrder { get; init; }

    /// <summary>The chunk key separator: v3 default '/', v2 default '.'.</summary>
    public char? Separator { get; init; }

    /// <summary>Append a <c>crc32c</c> checksum to every chunk (Zarr v3 only).</summary>
    public bool Checksum { get; init; }

    /// <summary>Zarr v3 <c>dimension_names</c>.</summary>
    public IReadOnlyList<string?>? DimensionNames { get; init; }

    /// <summary>
    /// Zarr v3 only: group chunks into shards of this shape (a multiple of the chunk shape) with the
    /// <c>sharding_indexed</c> codec; each shard is one stored object.
    /// </summary>
    public int[]? ShardShape { get; init; }

    /// <summary>Replace an existing node at the path instead of failing.</summary>
    public bool Overwrite { get; init; }
}
