using System.Collections.Concurrent;
using ChunkCompute.Storage.Transactions;

namespace ChunkCompute.Storage;

/// <summary>What <see cref="ZarrStore.Verify"/> found.</summary>
/// <param name="Problems">Everything wrong, one line each, naming the node, key or file: an empty list means the store is sound.</param>
/// <param name="Notes">Things that are not wrong but worth knowing (chunks awaiting collection, pins of dead readers).</param>
/// <param name="Arrays">Arrays checked.</param>
/// <param name="Groups">Groups checked.</param>
/// <param name="Chunks">Stored chunks decoded.</param>
/// <param name="Version">The committed version verified (null for a store without a transaction log).</param>
public sealed record StoreVerification(IReadOnlyList<string> Problems, IReadOnlyList<string> Notes, int Arrays, int Groups, long Chunks, long? Version)
{
    /// <summary>True when no problem was found.</summary>
    public bool IsSound => Problems.Count == 0;
}

/// <summary>Progress of a verification: chunks decoded so far of the stored chunks listed.</summary>
/// <param name="ChunksChecked">Chunks decoded so far.</param>
/// <param name="ChunksTotal">Stored chunks listed.</param>
public readonly record struct VerifyProgress(long ChunksChecked, long ChunksTotal);

/// <summary>The checks behind <see cref="ZarrStore.Verify"/>.</summary>
internal static class StoreVerifier
{
    public static StoreVerification Verify(ZarrStore store, IProgress<VerifyProgress>? progress, long? memoryBudget, CancellationToken cancellationToken)
    {
        var problems = new ConcurrentBag<string>();
        var notes = new ConcurrentBag<string>();
        int arrays = 0;
        int groups = 0;
        var work = new List<(ZarrArray Array, string Key, long[] Index)>();

        IReadOnlyList<NodeInfo> nodes;
        try
        {
            nodes = store.ListNodes(string.Empty, recursive: true, (_, ex) => problems.Add(ex.Message));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new StoreVerification([$"store '{store.Name}': its nodes cannot be listed: {Describe(ex)}"], [], 0, 0, 0, store.Version);
        }

        if (nodes.Count == 0 && problems.IsEmpty)
        {
            problems.Add($"store '{store.Name}' holds no Zarr group or array (no zarr.json, .zgroup or .zarray at its root or below)");
        }

        foreach (var node in nodes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (node.Kind == NodeKind.Group)
                {
                    store.OpenGroup(node.Path);
                    groups++;
                    continue;
                }

                var array = store.OpenArray(node.Path);
                arrays++;
                if (!FitsBudget(array, memoryBudget, problems))
                {
                    continue;
                }

                string prefix = node.Path.Length == 0 ? string.Empty : node.Path + "/";
                var grid = array.GridShape;
                long beyond = 0;
                foreach (var key in array.EnumerateChunkKeys())
                {
                    if (!array.Metadata.ChunkKeyEncoding.TryParse(key[prefix.Length..], array.Rank, out var index))
                    {
                        notes.Add($"array '{node.Path}': key '{key}' is not a chunk key of its encoding (ignored by readers)");
                        continue;
                    }

                    bool outside = false;
                    for (int d = 0; d < index.Length; d++)
                    {
                        outside |= index[d] >= grid[d];
                    }

                    if (outside)
                    {
                        beyond++;
                        continue;
                    }

                    work.Add((array, key, index));
                }

                if (beyond > 0)
                {
                    notes.Add($"array '{node.Path}': {beyond} stored chunk(s) lie beyond its shape [{string.Join(", ", array.Shape)}] (left by a shrinking resize; `chunkcompute gc` removes them)");
                }
            }
            catch (UnsupportedDataTypeException ex)
            {
                // Valid Zarr that ChunkCompute cannot read (a structured or object dtype other than vlen-utf8): skipped, not a fault.
                notes.Add($"array '{node.Path}' skipped: its data type '{ex.DataType}' is not supported by ChunkCompute ({ex.Detail})");
            }
            catch (ChunkComputeException ex)
            {
                problems.Add(ex.Message);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A hostile metadata document (a wrong JSON type, an absurd shape) fails in ways no parser names:
                // report the node and go on to the rest.
                problems.Add($"{(node.Kind == NodeKind.Array ? "array" : "group")} '{node.Path}': {Describe(ex)}");
            }
        }

        // Each decode holds a stored and a decoded chunk and the codecs' buffers (ChunkMemory): run as many at once as
        // the budget holds (arrays whose chunk alone does not fit were reported above and are not decoded).
        long largest = work.Count == 0 ? 1 : work.Max(w => ChunkMemory.DecodeBytes(w.Array.Metadata));
        int degree = store.Options.MaxConcurrency;
        if (memoryBudget is { } budget)
        {
            degree = (int)Math.Clamp(budget / Math.Max(1, 2 * largest), 1, degree);
        }

        long done = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = degree, CancellationToken = cancellationToken };
        Parallel.ForEach(work, options, item =>
        {
            bool strings = item.Array.DataType.IsVariableLength;
            var buffer = Stores.StorageBuffers.Rent(strings ? 1 : item.Array.ChunkByteCount);
            try
            {
                if (strings)
                {
                    // Variable-length strings decode to strings: every length checked, the item count the chunk's.
                    _ = item.Array.ReadStringChunk(item.Array.ChunkKey(item.Index));
                }
                else
                {
                    item.Array.ReadChunkBytes(item.Index, buffer.AsSpan(0, item.Array.ChunkByteCount));
                }
            }
            catch (ChunkComputeException ex)
            {
                problems.Add(ex.Message);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                // Anything else from one chunk (a codec's AggregateException, an allocation a header asked for) is
                // that chunk's problem: name it and go on.
                problems.Add($"array '{item.Array.Path}', chunk '{item.Key}': {Describe(ex)}");
            }
            finally
            {
                Stores.StorageBuffers.Return(buffer);
            }

            long n = Interlocked.Increment(ref done);
            if (progress is not null && (n % 64 == 0 || n == work.Count))
            {
                progress.Report(new VerifyProgress(n, work.Count));
            }
        });

        CheckHierarchy(store, nodes, problems);
        if (store.Versions is { } versions)
        {
            LogInspection inspected;
            try
            {
                inspected = versions.Inspect();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                problems.Add($"store '{store.Name}': its transaction log cannot be inspected: {Describe(ex)}");
                return Result(problems, notes, arrays, groups, work.Count, store.Version);
            }

            foreach (var problem in inspected.Problems)
            {
                problems.Add(problem);
            }

            foreach (var note in inspected.Notes)
            {
                notes.Add(note);
            }
        }

        return Result(problems, notes, arrays, groups, work.Count, store.Version);
    }

    // What lies around the arrays: one format per hierarchy, consolidated metadata that agrees with the documents, and
    // no links or special files (which reads refuse and listings skip).
    private static void CheckHierarchy(ZarrStore store, IReadOnlyList<NodeInfo> nodes, ConcurrentBag<string> problems)
    {
        var formats = nodes.GroupBy(n => n.Format).ToList();
        if (formats.Count > 1)
        {
            string Sample(IGrouping<ZarrFormat, NodeInfo> g) =>
                $"Zarr {(g.Key == ZarrFormat.V2 ? "v2" : "v3")}: {string.Join(", ", g.Take(3).Select(n => n.Path.Length == 0 ? "(root)" : "'" + n.Path + "'"))}{(g.Count() > 3 ? ", …" : string.Empty)}";
            problems.Add($"store '{store.Name}' mixes Zarr formats ({string.Join("; ", formats.Select(Sample))}): a hierarchy holds one format, and zarr-python opens neither a v2 node under a v3 root nor the reverse");
        }

        try
        {
            foreach (var mismatch in store.ConsolidatedMismatches(nodes))
            {
                problems.Add(mismatch);
            }
        }
        catch (ChunkComputeException ex)
        {
            problems.Add($"store '{store.Name}': consolidated metadata cannot be checked: {ex.Message}");
        }

        if (store.LocalDirectory is { } directory)
        {
            foreach (var (entry, kind) in directory.FindUnsafeEntries())
            {
                problems.Add($"store '{store.Name}': '{entry}' is a {(kind == Stores.FileKind.SymbolicLink ? "symbolic link" : "FIFO, socket or device")}; ChunkCompute does not follow or open it (reads that need it fail, listings skip it)");
            }
        }
    }

    private static StoreVerification Result(ConcurrentBag<string> problems, ConcurrentBag<string> notes, int arrays, int groups, long chunks, long? version) =>
        new(problems.Order(StringComparer.Ordinal).ToList(), notes.Order(StringComparer.Ordinal).ToList(), arrays, groups, chunks, version);

    // Whether one chunk of the array can be decoded within the budget; if not, a problem naming the array, the chunk's
    // bytes, the budget and the fix (its chunks are then not decoded).
    private static bool FitsBudget(ZarrArray array, long? memoryBudget, ConcurrentBag<string> problems)
    {
        var metadata = array.Metadata;
        long chunk = ChunkMemory.ChunkBytes(metadata);
        string shape = $"[{string.Join(", ", metadata.ChunkShape)}] {metadata.DataType.Name}";
        if (chunk > ChunkMemory.MaxChunkBytes)
        {
            problems.Add($"array '{array.Path}': one chunk {shape} is {ByteSize.Format(chunk)}, over the 2 GiB a chunk may decode to: its chunks were not decoded");
            return false;
        }

        long need = ChunkMemory.DecodeBytes(metadata);
        if (memoryBudget is { } budget && need > budget)
        {
            long index = ChunkMemory.ShardIndexBytes(metadata);
            problems.Add(
                $"array '{array.Path}': one chunk {shape} decodes to {ByteSize.Format(chunk)}{(index > 0 ? $" with a {ByteSize.Format(index)} shard index" : string.Empty)} " +
                $"and reading it holds {ByteSize.Format(need)}, more than the memory budget of {ByteSize.Format(budget)}: its chunks were not decoded; " +
                $"raise --memory to at least {ByteSize.Format(RoundUp(need))}");
            return false;
        }

        return true;
    }

    // Rounded up to a whole KiB (below 1 MiB) or MiB, so the figure printed is enough.
    internal static long RoundUp(long bytes)
    {
        long unit = bytes < (1L << 20) ? 1L << 10 : 1L << 20;
        return bytes > long.MaxValue - unit ? long.MaxValue : (bytes + unit - 1) / unit * unit;
    }

    private static string Describe(Exception ex)
    {
        if (ex is AggregateException aggregate)
        {
            var inner = aggregate.Flatten().InnerExceptions;
            return string.Join("; ", inner.Select(Describe).Distinct());
        }

        string message = ex.Message.ReplaceLineEndings(" ");
        return ex is ChunkComputeException ? message : $"{ex.GetType().Name}: {message}";
    }
}
