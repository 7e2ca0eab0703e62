using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Storage.Transactions;

/// <summary>
/// Snapshot isolation under injected faults, as a property: random sequences of commits, commits that fail at a random
/// step of the protocol (once, or for good so that even their rollback fails), aborted transactions and collections,
/// with a reader pinned at every version reached. Every reader must always read exactly its version — checked against
/// a model of what each version holds — and every failed commit must leave the store at the old version or the new one.
/// </summary>
public sealed class SnapshotIsolationPropertyTests : IDisposable
{
    private const int Length = 16;
    private readonly TempDirectory _dir = new("cc-snapprop");

    public void Dispose() => _dir.Dispose();

    private sealed record State(int[] A, int[] B, int[]? C);

    [Theory]
    [InlineData(20261204)]
    [InlineData(7)]
    [InlineData(1234567)]
    public void EveryReader_ReadsExactlyItsVersion_ThroughFailedCommitsAbortsAndCollections(int seed)
    {
        var rng = new Random(seed);
        string path = _dir.Combine($"s{seed}.zarr");
        var files = new FaultyFiles();
        var model = new Dictionary<long, State>();
        var readers = new List<(ZarrStore Store, long Version, ZarrArray<int> A)>();
        int failedCommits = 0, failuresInsidePublish = 0;
        try
        {
            using var writer = ZarrStore.Open(path, new ZarrStoreOptions { TransactionFiles = files });
            writer.Transact(tx =>
            {
                tx.CreateArray<int>("a", [Length], [4]).Write(new int[Length]);
                tx.CreateArray<int>("b", [Length], [4]).Write(new int[Length]);
            });
            model[writer.Version!.Value] = new State(new int[Length], new int[Length], null);
            Pin(path, model, readers);

            for (int step = 1; step <= 60; step++)
            {
                long before = LatestVersion(path);
                var current = model[before];
                int op = rng.Next(10);
                if (op == 0)
                {
                    // An aborted transaction changes nothing.
                    using var tx = writer.BeginTransaction();
                    tx.OpenArray<int>("a").Write(new ArraySubset([0], [4]), [-1, -1, -1, -1]);
                    tx.Abort();
                }
                else if (op == 1)
                {
                    writer.CollectGarbage();
                }
                else
                {
                    var (next, change) = RandomChange(rng, current, step);
                    bool inject = op >= 6;
                    files.Persistent = inject && rng.Next(3) == 0;
                    files.Counting = null;
                    files.Arm(inject ? rng.Next(1, 45) : -1);
                    bool fired;
                    try
                    {
                        writer.Transact(change, retries: 0);
                    }
                    catch (Exception ex) when (IsInjected(ex))
                    {
                        failedCommits++;
                    }
                    finally
                    {
                        fired = files.Fired;
                        files.Arm(-1);
                    }

                    long after = LatestVersion(path);
                    if (after != before)
                    {
                        // Published (the fault came after the commit point, or never fired): exactly the new state. (A
                        // failed commit uses up its number, so versions may skip.)
                        Assert.True(after > before, $"the version went back from {before} to {after}");
                        model[after] = next;
                    }
                    else if (fired)
                    {
                        failuresInsidePublish++;
                    }

                    writer.Refresh();
                }

                Pin(path, model, readers);
                if (step % 10 == 0)
                {
                    CheckAll(readers, model);
                }
            }

            CheckAll(readers, model);
            Assert.True(failedCommits >= 5, $"only {failedCommits} commits failed: the property was hardly exercised");
            Assert.True(failuresInsidePublish >= 3, $"only {failuresInsidePublish} failures hit a commit");
        }
        finally
        {
            foreach (var r in readers)
            {
                r.Store.Dispose();
            }
        }
    }

    private static bool IsInjected(Exception ex) =>
        ex.Message.Contains("injected fault", StringComparison.Ordinal) || (ex.InnerException is { } inner && IsInjected(inner));

    // The version a fresh reader sees (a fresh handle also rolls back what a failed rollback left, when idle).
    private static long LatestVersion(string path)
    {
        using var s = ZarrStore.OpenExisting(path);
        return s.Version!.Value;
    }

    // Opens a reader at the latest version, checks it at once, and keeps it (and an array opened from it) for later checks.
    private static void Pin(string path, Dictionary<long, State> model, List<(ZarrStore Store, long Version, ZarrArray<int> A)> readers)
    {
        var store = ZarrStore.OpenExisting(path);
        long v = store.Version!.Value;
        Assert.True(model.ContainsKey(v), $"a reader opened at version {v}, which no successful commit produced");
        var reader = (store, v, store.OpenArray<int>("a"));
        readers.Add(reader);
        Check(reader, model[v]);
    }

    private static void CheckAll(List<(ZarrStore Store, long Version, ZarrArray<int> A)> readers, Dictionary<long, State> model)
    {
        foreach (var r in readers)
        {
            Check(r, model[r.Version]);
        }
    }

    private static void Check((ZarrStore Store, long Version, ZarrArray<int> A) r, State expected)
    {
        Assert.Equal(r.Version, r.Store.Version);
        Assert.True(expected.A.SequenceEqual(r.A.Read()), $"reader at version {r.Version}: array a differs");
        Assert.True(expected.B.SequenceEqual(r.Store.OpenArray<int>("b").Read()), $"reader at version {r.Version}: array b differs");
        if (expected.C is null)
        {
            Assert.Null(r.Store.GetNodeKind("c"));
        }
        else
        {
            Assert.True(expected.C.SequenceEqual(r.Store.OpenArray<int>("c").Read()), $"reader at version {r.Version}: array c differs");
        }
    }

    // A random change: whole-chunk and partial writes of a and b, creating, appending to or deleting c. Values encode the
    // step, so a reader given another version's chunk reads a different number.
    private static (State Next, Action<Transaction> Change) RandomChange(Random rng, State current, int step)
    {
        var a = (int[])current.A.Clone();
        var b = (int[])current.B.Clone();
        int[]? c = current.C is null ? null : (int[])current.C.Clone();
        var actions = new List<Action<Transaction>>();
        int writes = rng.Next(1, 4);
        for (int w = 0; w < writes; w++)
        {
            bool onA = rng.Next(2) == 0;
            int start = rng.Next(Length);
            int count = rng.Next(1, Length - start + 1);
            var values = Enumerable.Range(0, count).Select(i => (step * 1000) + (w * 100) + i).ToArray();
            Array.Copy(values, 0, onA ? a : b, start, count);
            string name = onA ? "a" : "b";
            actions.Add(tx => tx.OpenArray<int>(name).Write(new ArraySubset([start], [count]), values));
        }

        int cOp = rng.Next(4);
        if (c is null && cOp == 0)
        {
            var values = Enumerable.Range(0, 6).Select(i => -(step * 1000) - i).ToArray();
            c = values;
            actions.Add(tx => tx.CreateArray<int>("c", [6], [4]).Write(values));
        }
        else if (c is not null && cOp == 1)
        {
            var more = new[] { step, -step, step };
            c = [.. c, .. more];
            actions.Add(tx => tx.OpenArray<int>("c").Append(more));
        }
        else if (c is not null && cOp == 2)
        {
            c = null;
            actions.Add(tx => tx.Delete("c"));
        }

        return (new State(a, b, c), tx => actions.ForEach(act => act(tx)));
    }
}
