using System.Text.Json;
using System.Text.Json.Serialization;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// Commit record N of an object store's log, <c>.chunkcompute/log/NNNNNNNNNNNNNNNNNNNN</c>: created whole with one
/// conditional write (<see cref="Stores.IStore.SetIfAbsent"/>), which is the commit point. Everything needed to publish
/// the commit is in it, so any writer can finish publishing it once its writer's lease has expired.
/// </summary>
internal sealed class ObjectRecord
{
    /// <summary>The commit's number: the version it makes.</summary>
    [JsonPropertyName("number")]
    public long Number { get; init; }

    /// <summary>The version the transaction read (its snapshot).</summary>
    [JsonPropertyName("base")]
    public long Base { get; init; }

    /// <summary>The transaction's id (its staging prefix).</summary>
    [JsonPropertyName("transaction")]
    public string Transaction { get; init; } = "";

    /// <summary>When the commit was made (UTC).</summary>
    [JsonPropertyName("time")]
    public DateTime Time { get; init; }

    /// <summary>
    /// Until when (UTC) only its writer publishes it. After this (plus the log's clock-skew margin) the next writer,
    /// <c>gc</c> or <c>verify --repair</c> finishes publishing it.
    /// </summary>
    [JsonPropertyName("lease_until")]
    public DateTime LeaseUntil { get; init; }

    /// <summary>Every key the commit writes or deletes, chunks before metadata (the publishing order).</summary>
    [JsonPropertyName("entries")]
    public List<ObjectEntry> Entries { get; init; } = [];

    /// <summary>Serializes the record.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, ObjectRecordJson.Default.ObjectRecord);

    // A record is read from the store, which may be someone else's: its keys must be Zarr keys (never the log's own) and
    // its staged values must be in the log's staging area, so publishing it can only move values the log staged onto
    // Zarr keys.
    private static bool IsSafe(ObjectEntry e)
    {
        if (e.Key is null || (e.Staged is not null && !e.Staged.StartsWith(ObjectVersionLog.Prefix + "staging/", StringComparison.Ordinal)))
        {
            return false;
        }

        try
        {
            Stores.StoreKeys.Validate(e.Key);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Parses a record; null when the bytes are not one.</summary>
    public static ObjectRecord? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var record = JsonSerializer.Deserialize(json, ObjectRecordJson.Default.ObjectRecord);
            return record is { Number: > 0, Base: >= 0 } && record.Base < record.Number && record.Entries.TrueForAll(IsSafe) ? record : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>One key of an object-store commit.</summary>
/// <param name="Key">The store key.</param>
/// <param name="Before">The key's version (ETag) just before the commit, or null when it did not exist.</param>
/// <param name="Staged">The staged value's key, or null when the commit deletes the key.</param>
internal sealed record ObjectEntry(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("before")] string? Before,
    [property: JsonPropertyName("staged")] string? Staged);

/// <summary>A snapshot reader's pin, <c>.chunkcompute/pins/ID</c>: the oldest version it reads, and until when.</summary>
internal sealed record ObjectPin(
    [property: JsonPropertyName("version")] long Version,
    [property: JsonPropertyName("expires")] DateTime Expires);

[JsonSerializable(typeof(ObjectRecord))]
[JsonSerializable(typeof(ObjectPin))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
internal sealed partial class ObjectRecordJson : JsonSerializerContext;
