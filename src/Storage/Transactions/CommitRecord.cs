using System.Text.Json;
using System.Text.Json.Serialization;

namespace ChunkCompute.Storage.Transactions;

/// <summary>What one commit changes, written to <c>.chunkcompute/log/NUMBER.json</c> before anything is published.</summary>
internal sealed class CommitRecord
{
    /// <summary>State of a commit whose changes are being (or were) published.</summary>
    public const string Preparing = "preparing";

    /// <summary>State of a commit that was rolled back (a failure or a crash before its version was published).</summary>
    public const string Aborted = "aborted";

    /// <summary>The commit's number; it becomes the store's version when published.</summary>
    [JsonPropertyName("number")]
    public long Number { get; init; }

    /// <summary>The version the commit was applied on top of.</summary>
    [JsonPropertyName("parent")]
    public long Parent { get; init; }

    /// <summary>The transaction's id (the prefix of its staged files' names).</summary>
    [JsonPropertyName("transaction")]
    public string Transaction { get; init; } = "";

    /// <summary><see cref="Preparing"/> or <see cref="Aborted"/>; a preparing record at or below the version is committed.</summary>
    [JsonPropertyName("state")]
    public string State { get; set; } = Preparing;

    /// <summary>When the commit started (UTC).</summary>
    [JsonPropertyName("time")]
    public DateTime Time { get; init; }

    /// <summary>Every key the commit writes or deletes, chunks before metadata (the publishing order).</summary>
    [JsonPropertyName("entries")]
    public List<CommitEntry> Entries { get; init; } = [];

    /// <summary>Serializes the record.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, RecordJson.Default.CommitRecord);

    /// <summary>Parses a record; null when the bytes are not a record.</summary>
    public static CommitRecord? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, RecordJson.Default.CommitRecord);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>One key of a commit.</summary>
/// <param name="Key">The store key.</param>
/// <param name="Delete">True when the commit removes the key, false when it writes it.</param>
/// <param name="Existed">True when the key held a value before the commit (its bytes are kept as a pre-image).</param>
internal sealed record CommitEntry(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("delete")] bool Delete,
    [property: JsonPropertyName("existed")] bool Existed);

[JsonSerializable(typeof(CommitRecord))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
internal sealed partial class RecordJson : JsonSerializerContext;
