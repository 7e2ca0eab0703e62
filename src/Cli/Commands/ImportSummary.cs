using ChunkCompute.Storage;

namespace ChunkCompute.Cli.Commands;

/// <summary>What <c>import</c> did: the new array, input bytes read, bytes stored, and the CSV header if one was skipped.</summary>
internal sealed record ImportSummary(ZarrArray Target, long BytesRead, long StoredBytes, IReadOnlyList<string>? Header);
