using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

namespace ChunkCompute.Cli.Commands;

/// <summary>
/// Up-front memory plans of the commands that read or write chunks outside the engine (export, verify, import,
/// append): each checks, before it reads bulk data, that one chunk and its own buffers fit <c>--memory</c>, and
/// refuses with a <see cref="MemoryPlanRefusedException"/> naming the array, the bytes, the budget and the fix.
/// </summary>
internal static class CliMemory
{
    /// <summary>
    /// Bytes one chunk read of <paramref name="array"/> holds (see <see cref="ChunkMemory"/>); refuses when that plus
    /// <paramref name="buffers"/> (the command's own, described by <paramref name="buffersWhat"/>) exceeds the budget.
    /// </summary>
    public static long RequireChunk(ZarrArray array, long budget, string command, long buffers = 0, string? buffersWhat = null)
    {
        var metadata = array.Metadata;
        long chunk = ChunkMemory.ChunkBytes(metadata);
        string chunkText = $"one chunk [{string.Join(", ", metadata.ChunkShape)}] {metadata.DataType.Name} of array '{array.Path}'";
        if (chunk > ChunkMemory.MaxChunkBytes)
        {
            throw new ChunkComputeException($"{chunkText} is {ByteSize.Format(chunk)}; chunks over 2 GiB cannot be read (a chunk is decoded into one buffer)");
        }

        long need = ChunkMemory.DecodeBytes(metadata);
        long total = Add(need, buffers);
        if (total > budget)
        {
            long index = ChunkMemory.ShardIndexBytes(metadata);
            string detail = $"{chunkText} decodes to {ByteSize.Format(chunk)}{(index > 0 ? $" with a {ByteSize.Format(index)} shard index" : string.Empty)} " +
                $"and reading it holds {ByteSize.Format(need)}{(buffers > 0 ? $", plus {ByteSize.Format(buffers)} for {buffersWhat}" : string.Empty)}";
            throw new MemoryPlanRefusedException(
                $"{command} of array '{array.Path}'",
                total,
                budget,
                $"{Capitalize(detail)}: --memory {ByteSize.Format(budget)} cannot hold it; raise --memory to at least {ByteSize.Format(RoundUp(total))}" +
                (index > 0 ? " (or rewrite the array with larger inner chunks: fewer index entries)." : " (or rewrite the array with smaller chunks: chunkcompute convert --chunks)."));
        }

        return need;
    }

    /// <summary>Bytes the engine's task graph and plan take per chunk of an input (measured about 1.3 KiB; rounded up).</summary>
    public const long GraphBytesPerChunk = 2L << 10;

    /// <summary>
    /// For a command that runs the engine over <paramref name="array"/>: refuses chunks over 2 GiB, and a chunk grid
    /// whose task graph alone (<see cref="GraphBytesPerChunk"/> a chunk) would not fit the budget, before the graph is
    /// built (an array of shape [1e15] in 1e9 chunks would otherwise exhaust memory while planning).
    /// </summary>
    public static void RequireGraph(ZarrArray array, long budget, string command)
    {
        var metadata = array.Metadata;
        long chunk = ChunkMemory.ChunkBytes(metadata);
        if (chunk > ChunkMemory.MaxChunkBytes)
        {
            throw new ChunkComputeException(
                $"one chunk [{string.Join(", ", metadata.ChunkShape)}] {metadata.DataType.Name} of array '{array.Path}' is {ByteSize.Format(chunk)}; chunks over 2 GiB cannot be read (a chunk is decoded into one buffer)");
        }

        long chunks = metadata.GridShape().Aggregate(1L, Multiply);
        string grid = $"[{string.Join(", ", metadata.GridShape())}]";
        if (chunks > int.MaxValue)
        {
            throw new ChunkComputeException($"array '{array.Path}' of shape [{string.Join(", ", metadata.Shape)}] has {chunks} chunks (grid {grid}); {command} plans at most {int.MaxValue} chunks: rewrite it with larger chunks");
        }

        Require(
            Multiply(chunks, GraphBytesPerChunk),
            budget,
            $"{command} of array '{array.Path}'",
            $"array '{array.Path}' has {chunks} chunks (grid {grid}) and the computation's task graph takes about {ByteSize.Format(GraphBytesPerChunk)} a chunk",
            " (or rewrite the array with larger chunks: chunkcompute convert --chunks)");
    }

    /// <summary>The engine's refusal, restated with the command-line fix (<c>--memory</c>) and the array's name.</summary>
    public static MemoryPlanRefusedException Restate(MemoryPlanRefusedException ex, string command, ZarrArray array) => new(
        $"{command} of array '{array.Path}' (chunks [{string.Join(", ", array.ChunkShape)}] {array.DataType.Name}), at '{ex.Operation}'",
        ex.RequiredBytes,
        ex.BudgetBytes,
        $"Raise {(ex.Operation.EndsWith(" on a worker", StringComparison.Ordinal) ? "--worker-memory (each worker's budget)" : "--memory")} to at least {ByteSize.Format(RoundUp(ex.RequiredBytes))}, or rewrite the array with smaller chunks (chunkcompute convert --chunks).");

    /// <summary>Refuses when <paramref name="need"/> bytes (described by <paramref name="what"/>) exceed the budget.</summary>
    public static void Require(long need, long budget, string operation, string what, string fix)
    {
        if (need > budget)
        {
            throw new MemoryPlanRefusedException(
                operation,
                need,
                budget,
                $"{Capitalize(what)}: --memory {ByteSize.Format(budget)} cannot hold it; raise --memory to at least {ByteSize.Format(RoundUp(need))}{fix}.");
        }
    }

    /// <summary>A store handle for one pass over chunks: no chunk cache, at most as many chunks at once as fit.</summary>
    public static ZarrStoreOptions PassOptions(long budget, long perChunk, long buffers)
    {
        long room = Math.Max(0, budget - buffers);
        int degree = (int)Math.Clamp(room / Math.Max(1, perChunk), 1, Environment.ProcessorCount);
        return new ZarrStoreOptions { ChunkCacheBytes = 0, MaxConcurrency = degree };
    }

    /// <summary>Rounded up to a whole KiB (below 1 MiB) or MiB, so the figure printed is enough.</summary>
    public static long RoundUp(long bytes)
    {
        long unit = bytes < (1L << 20) ? 1L << 10 : 1L << 20;
        return bytes > long.MaxValue - unit ? long.MaxValue : (bytes + unit - 1) / unit * unit;
    }

    public static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    public static long Multiply(long a, long b) => a != 0 && b > long.MaxValue / a ? long.MaxValue : a * b;

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
