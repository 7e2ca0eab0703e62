using ChunkCompute.Scheduler;

namespace ChunkCompute.Cli.Commands;

/// <summary>What a convert did: the computation's statistics and the bytes it read and wrote.</summary>
internal sealed record ConvertResult(ComputeStatistics Statistics, long BytesRead, long BytesWritten);
