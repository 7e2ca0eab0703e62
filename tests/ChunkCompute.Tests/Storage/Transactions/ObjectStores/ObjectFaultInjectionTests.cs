using ChunkCompute.Storage;
using ChunkCompute.Storage.Stores;
using ChunkCompute.Storage.Transactions;
using Xunit;

namespace ChunkCompute.Tests.Storage.Transactions.ObjectStores;

/// <summary>
/// A fault between every two requests of a commit on an object store: the request fails once (before reaching the
/// store, or after, its answer lost), or the connection stays down from there (as if the writer died). After each, a
/// second handle whose clock is past every lease opens the store and collects: the store verifies, and both arrays the
/// transaction wrote hold the same generation — the new one when the commit returned or said it was committed, the old
/// one when it failed before its commit point.
/// </summary>
public sealed class ObjectFaultInjectionTests
{
    private const int N = 16; // 4 chunks of 4 per array

    private static readonly ZarrStoreOptions Writer = new() { ChunkCacheBytes = 0 };

    // A finisher that sees every lease as ended (its clock is an hour ahead of the writer's).
    private static readonly ZarrStoreOptions Finisher = new() { ChunkCacheBytes = 0, ObjectLogTimings = new ObjectLogTimings { ClockSkew = TimeSpan.FromHours(-1) } };

    private static void Generation(Transaction tx, long g)
    {
        tx.OpenArray<long>("a").Write(Enumerable.Repeat(g, N).ToArray());
        tx.OpenArray<long>("b").Write(Enumerable.Repeat(-g, N).ToArray());
        tx.OpenGroup().SetAttributes(new System.Text.Json.Nodes.JsonObject { ["generation"] = g });
    }

    private static MemoryStore Setup()
    {
        var inner = new MemoryStore();
        using var s = ZarrStore.Open(inner, Writer);
        s.Transact(tx =>
        {
            tx.CreateGroup(string.Empty);
            tx.CreateArray<long>("a", [N], [4]);
            tx.CreateArray<long>("b", [N], [4]);
            Generation(tx, 1);
        });
        return inner;
    }

    // The requests a commit of one generation makes (begin to end), counted on a store without faults.
    private static int RequestsOfACommit()
    {
        var faulty = new FaultyObjectStore(Setup());
        using var h = ZarrStore.Open(faulty, Writer);
        faulty.Arm(-1, ObjectFault.OnceBefore);
        h.Transact(tx => Generation(tx, 2));
        return faulty.Requests;
    }

    [Theory]
    [InlineData(ObjectFault.OnceBefore)]
    [InlineData(ObjectFault.OnceAfter)]
    [InlineData(ObjectFault.DownFrom)]
    public void AFault_AtEveryRequestOfACommit_LeavesTheOldOrTheNewVersion(ObjectFault fault)
    {
        int requests = RequestsOfACommit();
        Assert.InRange(requests, 10, 400);
        int committed = 0, rolledBack = 0;
        for (int k = 0; k <= requests; k++)
        {
            var inner = Setup();
            var faulty = new FaultyObjectStore(inner);
            string outcome;
            using (var h = ZarrStore.Open(faulty, Writer))
            {
                faulty.Arm(k, fault);
                try
                {
                    h.Transact(tx => Generation(tx, 2), retries: 0);
                    outcome = "returned";
                }
                catch (Exception ex) when (ex is IOException or TimeoutException or InvalidMetadataException)
                {
                    outcome = ex.Message.Contains("is committed", StringComparison.Ordinal) ? "committed" : "failed";
                }

                faulty.Arm(-1, ObjectFault.OnceBefore); // the handle's own clean-up (its pin) works again
            }

            using var finisher = ZarrStore.Open(inner, Finisher);
            finisher.CollectGarbage(TestContext.Current.CancellationToken);
            var report = finisher.Verify();
            Assert.True(report.IsSound, $"{fault} at request {k}: {string.Join("; ", report.Problems)}");
            long g = finisher.OpenArray<long>("a").Read()[0];
            Assert.All(finisher.OpenArray<long>("a").Read(), v => Assert.Equal(g, v));
            Assert.All(finisher.OpenArray<long>("b").Read(), v => Assert.Equal(-g, v));
            Assert.Equal(g, finisher.OpenGroup().Attributes["generation"]!.GetValue<long>());
            switch (outcome)
            {
                case "returned" or "committed":
                    Assert.True(g == 2, $"{fault} at request {k}: the commit {outcome} but generation {g} is in the store");
                    break;
                case "failed" when fault != ObjectFault.OnceAfter:
                    // A request that never reached the store cannot have made the commit point.
                    Assert.True(g == 1, $"{fault} at request {k}: the commit failed before its commit point but generation {g} is in the store");
                    break;
            }

            committed += g == 2 ? 1 : 0;
            rolledBack += g == 1 ? 1 : 0;

            // Nothing of the transaction is left behind: no staged values, no records above the head unpublished.
            Assert.Empty(inner.List(".chunkcompute/staging/"));
        }

        Assert.True(committed > 0 && rolledBack > 0, $"{fault}: {committed} committed, {rolledBack} rolled back of {requests + 1}");
    }
}
