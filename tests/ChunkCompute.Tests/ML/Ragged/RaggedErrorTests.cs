using System.Text.Json.Nodes;
using Xunit;
using ChunkCompute.ML;
using ChunkCompute.Storage;

namespace ChunkCompute.Tests.ML.Ragged;

/// <summary>Bad input gives clear errors that name the ragged array.</summary>
public sealed class RaggedErrorTests
{
    [Fact]
    public void OpenWithWrongElementType_NamesArrayAndTypes()
    {
        using var store = ZarrStore.InMemory();
        RaggedArray<float>.Create(store, "feat");
        var ex = Assert.Throws<DataTypeMismatchException>(() => RaggedArray<double>.Open(store, "feat"));
        Assert.Contains("'feat'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("float32", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Double", ex.Message, StringComparison.Ordinal);
        Assert.Throws<DataTypeMismatchException>(() => RaggedArray.Open(store, "feat").As<int>());
    }

    [Fact]
    public void UntypedAppendOfWrongType_ThrowsAndAppendsNothing()
    {
        using var store = ZarrStore.InMemory();
        RaggedArray<float>.Create(store, "feat");
        var untyped = RaggedArray.Open(store, "feat");
        var ex = Assert.Throws<DataTypeMismatchException>(() => untyped.Append(new double[] { 1, 2 }));
        Assert.Contains("'feat'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(typeof(double), ex.Actual);
        Assert.Equal(0, untyped.Count);
        untyped.Append(new float[] { 1, 2 });
        Assert.Equal(1, untyped.Count);
    }

    [Fact]
    public void ShapeProductDiffersFromLength_Throws()
    {
        using var store = ZarrStore.InMemory();
        var r = RaggedArray<int>.Create(store, "img", recordRank: 2);
        var ex = Assert.Throws<ShapeMismatchException>(() => r.Append([1, 2, 3, 4, 5], [2, 3]));
        Assert.Contains("'img'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("6 values", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ShapeMismatchException>(() => r.Append([1, 2], [-1, -2]));
        Assert.Equal(0, r.Count);
        Assert.Equal(0, r.Values.Shape[0]);
    }

    [Fact]
    public void WrongRecordRank_Throws()
    {
        using var store = ZarrStore.InMemory();
        var r2 = RaggedArray<int>.Create(store, "img", recordRank: 2);
        Assert.Contains("rank 2", Assert.Throws<ShapeMismatchException>(() => r2.Append([1, 2])).Message, StringComparison.Ordinal);
        Assert.Contains("rank 3", Assert.Throws<ShapeMismatchException>(() => r2.Append([1, 2], [1, 1, 2])).Message, StringComparison.Ordinal);
        Assert.Throws<ShapeMismatchException>(() => r2.AppendMany([[1, 2]]));
        Assert.Throws<ShapeMismatchException>(() => RaggedArray.Open(store, "img").Append(new int[] { 1, 2 }));
        var r1 = RaggedArray<int>.Create(store, "seq");
        Assert.Throws<ShapeMismatchException>(() => r1.Append([1, 2], [1, 2]));
        Assert.Throws<ShapeMismatchException>(() => r1.AppendMany([new RaggedRecord<int>([1, 2, 3, 4], [2, 2])]));
        Assert.Equal(0, r1.Count);
        Assert.Equal(0, r2.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => RaggedArray<int>.Create(store, "bad", recordRank: 0));
    }

    [Fact]
    public void IndexOutOfRange_Throws()
    {
        using var store = ZarrStore.InMemory();
        var r = RaggedArray<int>.Create(store, "seq");
        r.AppendMany([[1], [2, 3], [4, 5, 6]]);
        foreach (long i in new long[] { 3, -4, long.MaxValue, long.MinValue })
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => r.Read(i));
            Assert.Contains("'seq'", ex.Message, StringComparison.Ordinal);
            Assert.Contains("3 records", ex.Message, StringComparison.Ordinal);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => r[3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => r.Length(-4));
        Assert.Throws<ArgumentOutOfRangeException>(() => r.Shape(5));
        Assert.Throws<ArgumentOutOfRangeException>(() => r.ReadRange(2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => r.ReadRange(0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => r.ReadRange(-4, 1));
    }

    [Fact]
    public void NotARaggedArray_Throws()
    {
        using var store = ZarrStore.InMemory();
        store.CreateGroup("plain", new JsonObject { ["x"] = 1 });
        store.CreateArray<float>("arr", [4], [4]);
        Assert.Contains("chunkcompute_ragged", Assert.Throws<InvalidRaggedArrayException>(() => RaggedArray<float>.Open(store, "plain")).Message, StringComparison.Ordinal);
        Assert.Contains("an array is there", Assert.Throws<InvalidRaggedArrayException>(() => RaggedArray<float>.Open(store, "arr")).Message, StringComparison.Ordinal);
        Assert.Throws<NodeNotFoundException>(() => RaggedArray<float>.Open(store, "missing"));

        RaggedArray<float>.Create(store, "r");
        store.Delete("r/offsets");
        var ex = Assert.Throws<InvalidRaggedArrayException>(() => RaggedArray.Open(store, "r"));
        Assert.Contains("'offsets'", ex.Message, StringComparison.Ordinal);

        store.CreateGroup("v9", new JsonObject { ["chunkcompute_ragged"] = new JsonObject { ["version"] = 9, ["dtype"] = "float32", ["record_rank"] = 1 } });
        Assert.Contains("version 9", Assert.Throws<InvalidRaggedArrayException>(() => RaggedArray<float>.Open(store, "v9")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateOverExisting_NeedsOverwrite()
    {
        using var store = ZarrStore.InMemory();
        var r = RaggedArray<int>.Create(store, "seq");
        r.Append([1, 2]);
        Assert.Throws<InvalidOperationException>(() => RaggedArray<int>.Create(store, "seq"));
        var again = RaggedArray<int>.Create(store, "seq", options: new RaggedArrayOptions { Overwrite = true });
        Assert.Equal(0, again.Count);
    }
}
