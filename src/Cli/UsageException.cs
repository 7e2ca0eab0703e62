namespace ChunkCompute.Cli;

/// <summary>A command line that parses but makes no sense (bad --chunks, bad --slice): exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
