using ChunkCompute.Storage;

namespace ChunkCompute.Cli.Commands;

/// <summary>What <c>import</c> was asked to do.</summary>
internal sealed record ImportRequest(string File, string Store, string Array, string? Chunks, ArrayOptions Options, long Budget, string? Dims, bool Consolidate);
