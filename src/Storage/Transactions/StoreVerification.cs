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
            nodes = store.ListNodes();
        }
        catch (ChunkComputeException ex)
        {
            return new StoreVerification([ex.Message], [], 0, 0, 0, store.Version);
        }

        if (nodes.Count == 0)
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
            catch (ChunkComputeException ex)
            {
                problems.Add(ex.Message);
            }
        }

        // Each decode holds a stored and a decoded chunk: run as many at once as the budget holds (at least one).
        long largest = work.Count == 0 ? 1 : work.Max(w => (long)w.Array.ChunkByteCount);
        int degree = store.Options.MaxConcurrency;
        if (memoryBudget is { } budget)
        {
            degree = (int)Math.Clamp(budget / Math.Max(1, 2 * largest), 1, degree);
        }

        long done = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = degree, CancellationToken = cancellationToken };
        Parallel.ForEach(work, options, item =>
        {
            var buffer = Stores.StorageBuffers.Rent(item.Array.ChunkByteCount);
            try
            {
                item.Array.ReadChunkBytes(item.Index, buffer.AsSpan(0, item.Array.ChunkByteCount));
            }
            catch (ChunkComputeException ex)
            {
                problems.Add(ex.Message);
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

        if (store.Versions is { } versions)
        {
            var (_, deadPins, _, orphaned, unfinished) = versions.Inspect();
            foreach (var id in orphaned)
            {
                problems.Add($"store '{store.Name}': orphaned staging folder '{VersionedDirectory.FolderName}/staging/{id}' of a transaction whose process died (`chunkcompute gc` removes it)");
            }

            foreach (long n in unfinished)
            {
                problems.Add($"store '{store.Name}': commit {n} is half done ('{VersionedDirectory.FolderName}/log/{n}.json' is preparing above the published version) and no process is committing it");
            }

            if (deadPins > 0)
            {
                notes.Add($"{deadPins} snapshot pin(s) of dead processes (`chunkcompute gc` removes them)");
            }
        }

        return new StoreVerification(problems.Order(StringComparer.Ordinal).ToList(), notes.Order(StringComparer.Ordinal).ToList(), arrays, groups, work.Count, store.Version);
    }
}
