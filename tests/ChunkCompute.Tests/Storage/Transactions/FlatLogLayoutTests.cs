using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Storage.Transactions;

/// <summary>
/// The log's flat layout: staged values are <c>staging/ID.NAME~</c> and pre-images <c>pre/N.NAME~</c>, so beginning,
/// staging and committing a transaction create no directories; logs of the earlier folder layout are still read and
/// collected.
/// </summary>
public sealed class FlatLogLayoutTests : IDisposable
{
    private readonly TempDirectory _dir = new("cc-flat");

    private string StorePath => _dir.Combine("s.zarr");

    private string Meta => Path.Combine(StorePath, ".chunkcompute");

    public void Dispose() => _dir.Dispose();

    private string[] Directories() =>
        [.. Directory.EnumerateDirectories(StorePath, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];

    [Fact]
    public void Commit_ThatReplacesChunksAndMetadata_CreatesNoDirectory()
    {
        using var store = ZarrStore.Open(StorePath);
        var x = store.CreateArray<int>("g/x", [4, 4], [2, 2]);
        x.Write(Enumerable.Range(0, 16).ToArray());
        using var reader = ZarrStore.OpenExisting(StorePath); // pins this version: the commit's pre-images are kept
        var before = Directories();

        using (var tx = store.BeginTransaction())
        {
            var tx1 = tx.OpenArray<int>("g/x");
            tx1.Write(new ArraySubset([0, 0], [2, 4]), Enumerable.Repeat(7, 8).ToArray()); // replaces two chunks
            tx1.Untyped.SetAttributes(new System.Text.Json.Nodes.JsonObject { ["unit"] = "K" }); // replaces the metadata document
            Assert.Equal(before, Directories()); // staged flat: no folder for the transaction or the array
            Assert.All(Directory.EnumerateFileSystemEntries(Path.Combine(Meta, "staging")), e => Assert.True(File.Exists(e), e));
            tx.Commit();
        }

        Assert.Equal(before, Directories());
        var preImages = Directory.EnumerateFileSystemEntries(Path.Combine(Meta, "pre")).Select(Path.GetFileName).ToArray();
        Assert.NotEmpty(preImages);
        Assert.All(preImages, name => Assert.True(File.Exists(Path.Combine(Meta, "pre", name!)), name));
        Assert.Contains(preImages, name => name!.EndsWith(".g%2Fx%2Fc%2F0%2F0~", StringComparison.Ordinal));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Meta, "staging")));

        // The pinned reader still sees the old values through the flat pre-images; a collection after it ends removes them.
        Assert.Equal(Enumerable.Range(0, 16).ToArray(), reader.OpenArray<int>("g/x").Read());
        Assert.Equal(7, store.OpenArray<int>("g/x").Read()[3]);
        reader.Dispose();
        store.Dispose(); // its own pin too (it viewed the version before the transaction's)
        using var again = ZarrStore.OpenExisting(StorePath);
        var gc = again.CollectGarbage();
        Assert.Equal(1, gc.PreImageVersions);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Meta, "pre")));
    }

    [Fact]
    public void PreImagesOfTheFolderLayout_AreReadAndCollected()
    {
        using var store = ZarrStore.Open(StorePath);
        var x = store.CreateArray<int>("x", [4], [2]);
        x.Write([1, 2, 3, 4]);
        using (var reader = ZarrStore.OpenExisting(StorePath))
        {
            x.Write([5, 6, 7, 8]);
            // Rewrite the commit's flat pre-images into the layout earlier versions wrote: pre/N/KEY~.
            foreach (var flat in Directory.EnumerateFiles(Path.Combine(Meta, "pre")).ToList())
            {
                string name = Path.GetFileName(flat);
                int dot = name.IndexOf('.', StringComparison.Ordinal);
                string key = Uri.UnescapeDataString(name[(dot + 1)..^1]);
                string legacy = Path.Combine(Meta, "pre", name[..dot], key.Replace('/', Path.DirectorySeparatorChar)) + "~";
                Directory.CreateDirectory(Path.GetDirectoryName(legacy)!);
                File.Move(flat, legacy);
            }

            Assert.Equal([1, 2, 3, 4], reader.OpenArray<int>("x").Read());
        }

        var gc = store.CollectGarbage();
        Assert.Equal(1, gc.PreImageVersions);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Meta, "pre")));
        Assert.Equal([5, 6, 7, 8], store.OpenArray<int>("x").Read());
    }

    [Fact]
    public void DeadTransactions_FlatAndFolderLayouts_AreReportedAndCollected_LiveOnesKept()
    {
        using var store = ZarrStore.Open(StorePath);
        store.CreateArray<int>("x", [4], [2]).Write([1, 2, 3, 4]);
        string staging = Path.Combine(Meta, "staging");
        string flatDead = $"{Environment.ProcessId}-{Guid.NewGuid():N}";
        File.WriteAllBytes(Path.Combine(staging, flatDead + ".x%2Fc%2F0~"), [1, 2, 3]); // a killed writer's staged value
        File.WriteAllBytes(Path.Combine(staging, flatDead + ".lock"), []); // its lock, held by nobody
        string folderDead = $"{Environment.ProcessId}-{Guid.NewGuid():N}";
        Directory.CreateDirectory(Path.Combine(staging, folderDead, "x", "c")); // the earlier layout, no lock at all
        File.WriteAllBytes(Path.Combine(staging, folderDead, "x", "c", "1~"), [4]);
        using var live = store.BeginTransaction();
        live.OpenArray<int>("x").Write([9, 9, 9, 9]);

        var verification = store.Verify();
        Assert.Contains(verification.Problems, p => p.Contains(flatDead + ".*", StringComparison.Ordinal));
        Assert.Contains(verification.Problems, p => p.Contains(folderDead, StringComparison.Ordinal));

        var gc = store.CollectGarbage();
        Assert.Equal(2, gc.OrphanedStagings);
        var left = Directory.EnumerateFileSystemEntries(staging).Select(Path.GetFileName).ToArray();
        Assert.All(left, name => Assert.StartsWith(live.Id + ".", name, StringComparison.Ordinal));
        Assert.Contains(live.Id + ".lock", left);
        live.Commit();
        Assert.Equal([9, 9, 9, 9], store.OpenArray<int>("x").Read());
        Assert.Empty(Directory.EnumerateFileSystemEntries(staging));
    }

    [Fact]
    public void KeysThatEscapeOrHash_RoundTripThroughATransaction()
    {
        // '%' and '#' in a name are escaped; a path too long for one flat file name is named by its hash.
        string odd = "a%2Fb#c/x";
        string deep = string.Join('/', Enumerable.Range(0, 12).Select(i => $"group{i:D2}-with-a-long-name"));
        using var store = ZarrStore.Open(StorePath);
        store.CreateArray<int>(odd, [2], [2]);
        store.CreateArray<int>(deep, [2], [2]);
        using (var tx = store.BeginTransaction())
        {
            tx.OpenArray<int>(odd).Write([1, 2]);
            tx.OpenArray<int>(deep).Write([3, 4]);
            Assert.Equal([1, 2], tx.OpenArray<int>(odd).Read()); // read back from the staging before the commit
            Assert.Equal([3, 4], tx.OpenArray<int>(deep).Read());
            var names = Directory.EnumerateFiles(Path.Combine(Meta, "staging")).Select(Path.GetFileName).ToArray();
            Assert.Contains(names, n => n!.EndsWith(".a%252Fb%23c%2Fx%2Fc%2F0~", StringComparison.Ordinal));
            Assert.Contains(names, n => n!.Length < 120 && n.Contains(".#", StringComparison.Ordinal));
            tx.Commit();
        }

        using var fresh = ZarrStore.OpenExisting(StorePath);
        Assert.Equal([1, 2], fresh.OpenArray<int>(odd).Read());
        Assert.Equal([3, 4], fresh.OpenArray<int>(deep).Read());
    }

    [Fact]
    public void Commit_DoesNotProbeTheLocksItsOwnProcessHolds()
    {
        // Probing a held lock file throws and catches an IOException; a commit used to probe its own pin and its own
        // transaction's lock that way. Counted on this thread only (other tests run in parallel).
        using var store = ZarrStore.Open(StorePath);
        store.CreateArray<int>("x", [8], [2]).Write([1, 2, 3, 4, 5, 6, 7, 8]);
        using var otherReader = ZarrStore.OpenExisting(StorePath); // another live pin: held here too
        int thread = Environment.CurrentManagedThreadId;
        int thrown = 0;
        void Count(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e)
        {
            if (Environment.CurrentManagedThreadId == thread && e.Exception is IOException)
            {
                Interlocked.Increment(ref thrown);
            }
        }

        AppDomain.CurrentDomain.FirstChanceException += Count;
        try
        {
            for (int k = 0; k < 3; k++)
            {
                using var tx = store.BeginTransaction();
                tx.OpenArray<int>("x").Write(new ArraySubset([2L * k], [2]), [k, k]);
                tx.Commit();
            }
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Count;
        }

        Assert.Equal(0, thrown);
        Assert.Equal([0, 0, 1, 1, 2, 2, 7, 8], store.OpenArray<int>("x").Read());
    }
}
