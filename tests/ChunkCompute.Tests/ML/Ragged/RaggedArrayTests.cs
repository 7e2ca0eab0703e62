using Xunit;
using ChunkCompute.ML;
using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;

namespace ChunkCompute.Tests.ML.Ragged;

/// <summary>Ragged arrays: records in and out exactly, multi-dimensional records, ranges, indices, reductions vs LINQ.</summary>
public sealed class RaggedArrayTests : IDisposable
{
    private readonly TempDirectory _dir = new("cc-ragged");

    public void Dispose() => _dir.Dispose();

    /// <summary>Deterministic records of lengths 0..maxLength (some empty), values distinct per record.</summary>
    internal static List<float[]> MakeRecords(int count, int maxLength, int seed)
    {
        var random = new Random(seed);
        var records = new List<float[]>();
        for (int r = 0; r < count; r++)
        {
            int length = r % 7 == 3 ? 0 : random.Next(0, maxLength + 1);
            records.Add(Enumerable.Range(0, length).Select(_ => (float)Math.Round((random.NextDouble() * 200) - 100, 3)).ToArray());
        }

        return records;
    }

    private ZarrStore NewStore(bool directory) => directory ? ZarrStore.Open(_dir.Combine("s-" + Guid.NewGuid().ToString("N") + ".zarr")) : ZarrStore.InMemory();

    [Theory]
    [InlineData(false, null)]
    [InlineData(true, null)]
    [InlineData(true, ZarrFormat.V2)]
    public void AppendThenRead_ReturnsEveryRecordExactly(bool directory, ZarrFormat? format)
    {
        using var store = NewStore(directory);
        var records = MakeRecords(60, 40, seed: 1);
        var ragged = RaggedArray<float>.Create(store, "seq", valuesChunk: 64, options: new RaggedArrayOptions { Format = format, OffsetsChunk = 16 });
        Assert.Equal(0, ragged.Count);
        foreach (var r in records.Take(20))
        {
            ragged.Append(r);
        }

        ragged.AppendMany(records.Skip(20));
        Assert.Equal(records.Count, ragged.Count);
        for (int i = 0; i < records.Count; i++)
        {
            var rec = ragged.Read(i);
            Assert.Equal(records[i], rec.Values);
            Assert.Equal([(long)records[i].Length], rec.Shape);
            Assert.Equal(records[i].Length, ragged.Length(i));
        }

        Assert.Equal(records.Select(r => (long)r.Length).ToArray(), ragged.Lengths());

        // Another handle on the same store (a directory: another open) reads the same records.
        var reopened = RaggedArray<float>.Open(store, "seq");
        Assert.Equal(records.Count, reopened.Count);
        Assert.Equal(records[^1], reopened[-1].Values);
        Assert.Equal(format ?? ZarrFormat.V3, reopened.Values.Metadata.Format);
        Assert.Equal(records.Sum(r => r.Length), reopened.Values.Shape[0]);
        Assert.Equal(records.Count + 1, reopened.Offsets.Shape[0]);
    }

    [Fact]
    public void DirectoryStore_OtherProcessHandle_ReadsCommittedRecords()
    {
        string path = _dir.Combine("p.zarr");
        var records = MakeRecords(30, 25, seed: 2);
        using (var store = ZarrStore.Open(path))
        {
            var ragged = RaggedArray<float>.Create(store, "g/seq", valuesChunk: 32);
            ragged.AppendMany(records);
        }

        using var other = ZarrStore.OpenExisting(path);
        var back = RaggedArray<float>.Open(other, "g/seq");
        Assert.Equal(records, back.ReadRange(0, back.Count).Select(r => r.Values));
    }

    [Fact]
    public void MultiDimensionalRecords_KeepTheirShapes()
    {
        using var store = NewStore(directory: true);
        var ragged = RaggedArray<double>.Create(store, "images", recordRank: 3, valuesChunk: 50);
        var shapes = new long[][] { [2, 3, 4], [1, 1, 1], [0, 5, 2], [3, 2, 5], [4, 4, 1] };
        var records = new List<RaggedRecord<double>>();
        int next = 0;
        foreach (var shape in shapes)
        {
            int n = (int)(shape[0] * shape[1] * shape[2]);
            records.Add(new RaggedRecord<double>(Enumerable.Range(next, n).Select(v => v * 0.5).ToArray(), shape));
            next += n;
        }

        ragged.Append(records[0].Values, records[0].Shape);
        ragged.Append(records[1].Values, records[1].Shape);
        ragged.AppendMany(records.Skip(2));
        Assert.Equal(5, ragged.Count);
        Assert.NotNull(ragged.Shapes);
        Assert.Equal([5L, 3L], ragged.Shapes!.Shape);
        for (int i = 0; i < shapes.Length; i++)
        {
            var (values, shape) = ragged.Read(i);
            Assert.Equal(shapes[i], shape);
            Assert.Equal(shapes[i], ragged.Shape(i));
            Assert.Equal(records[i].Values, values);
        }

        Assert.Equal(shapes.Select(s => s[0] * s[1] * s[2]).ToArray(), ragged.Lengths());
        var range = ragged.ReadRange(-4, 3);
        Assert.Equal(shapes[1..4], range.Select(r => r.Shape).ToArray());
        Assert.Equal(records.Skip(1).Take(3).Select(r => r.Values), range.Select(r => r.Values));

        // Rank-2 shapes rows reconstruct an element: record 3 is (3, 2, 5); element [2, 1, 4] is at 2*10 + 1*5 + 4.
        var (v3, s3) = ragged[3];
        Assert.Equal(records[3].Values[(2 * 10) + (1 * 5) + 4], v3[(2 * s3[1] * s3[2]) + (1 * s3[2]) + 4]);
    }

    [Fact]
    public void NegativeIndicesAndRanges_AsPython()
    {
        using var store = NewStore(directory: false);
        var ragged = RaggedArray<int>.Create(store, "r", valuesChunk: 4);
        ragged.AppendMany([[1, 2, 3], [], [4], [5, 6, 7, 8, 9], [10, 11]]);
        Assert.Equal([10, 11], ragged[-1].Values);
        Assert.Equal([5, 6, 7, 8, 9], ragged.Read(-2).Values);
        Assert.Equal([1, 2, 3], ragged[-5].Values);
        Assert.Empty(ragged[1].Values);
        Assert.Equal(0, ragged.Length(-4));
        Assert.Equal([[], [4]], ragged.ReadRange(1, 2).Select(r => r.Values));
        Assert.Equal([[5, 6, 7, 8, 9], [10, 11]], ragged.ReadRange(-2, 2).Select(r => r.Values));
        Assert.Empty(ragged.ReadRange(5, 0));
        Assert.Equal([3L, 0L, 1L, 5L, 2L], ragged.Lengths());
    }

    [Theory]
    [InlineData(16)]
    [InlineData(1000)]
    public void Reductions_MatchLinq_RecordsSpanningChunks(int valuesChunk)
    {
        using var store = NewStore(directory: true);
        var records = MakeRecords(200, 90, seed: 3);
        var ragged = RaggedArray<float>.Create(store, "x", valuesChunk: valuesChunk);
        ragged.AppendMany(records);
        var stats = ragged.Statistics();
        double[] sums = ragged.Sums(), means = ragged.Means(), mins = ragged.Mins(), maxs = ragged.Maxs();
        Assert.Equal(stats.Sums, sums);
        Assert.Equal(records.Count, sums.Length);
        for (int i = 0; i < records.Count; i++)
        {
            var d = records[i].Select(v => (double)v).ToArray();
            if (d.Length == 0)
            {
                Assert.Equal(0.0, sums[i]);
                Assert.True(double.IsNaN(means[i]) && double.IsNaN(mins[i]) && double.IsNaN(maxs[i]), $"record {i} is empty");
                continue;
            }

            Assert.Equal(d.Sum(), sums[i], 1e-9);
            Assert.Equal(d.Average(), means[i], 1e-9);
            Assert.Equal(d.Min(), mins[i]);
            Assert.Equal(d.Max(), maxs[i]);
        }
    }

    [Fact]
    public void Reductions_NaNPropagatesToMinMax_IntegersExact()
    {
        using var store = NewStore(directory: false);
        var f = RaggedArray<double>.Create(store, "f", valuesChunk: 2);
        f.AppendMany([[1.0, double.NaN, 3.0], [2.0, -5.0]]);
        Assert.True(double.IsNaN(f.Mins()[0]) && double.IsNaN(f.Maxs()[0]) && double.IsNaN(f.Sums()[0]));
        Assert.Equal(-5.0, f.Mins()[1]);
        Assert.Equal(-3.0, f.Sums()[1]);

        var l = RaggedArray<long>.Create(store, "l", valuesChunk: 3);
        long big = 1L << 53;
        l.AppendMany([[big, 1, -big, 1], [7]]);
        Assert.Equal([2.0, 7.0], l.Sums());   // compensated: 2^53 + 1 - 2^53 + 1 = 2 (a naive float64 sum gives 1)
        Assert.Equal([0.5, 7.0], l.Means());
    }

    [Fact]
    public void Untyped_OpenAppendAndAs()
    {
        using var store = NewStore(directory: true);
        RaggedArray<short>.Create(store, "u", recordRank: 2, valuesChunk: 8);
        var untyped = RaggedArray.Open(store, "u");
        Assert.Equal(DataType.Int16, untyped.DataType);
        Assert.Equal(2, untyped.RecordRank);
        untyped.Append(new short[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        untyped.Append(new short[] { 7, 8 }, [2, 1]);
        Assert.Equal(2, untyped.Count);
        Assert.Equal([6L, 2L], untyped.Lengths());
        var typed = RaggedArray<short>.Open(store, "u");
        Assert.Equal([2L, 3L], typed.Shape(0));
        Assert.Equal(new short[] { 1, 2, 3, 4, 5, 6 }, typed[0].Values);
        Assert.Equal([2L, 1L], typed.Shape(1));
        Assert.Equal([21.0, 15.0], untyped.Statistics().Sums);
        Assert.Equal(2, untyped.As<short>().Count);
    }

    [Fact]
    public void Layout_IsDocumentedGroupAttribute()
    {
        using var store = NewStore(directory: true);
        RaggedArray<float>.Create(store, "r", recordRank: 2);
        var attrs = store.OpenGroup("r").Attributes["chunkcompute_ragged"]!;
        Assert.Equal(1, attrs["version"]!.GetValue<int>());
        Assert.Equal("float32", attrs["dtype"]!.GetValue<string>());
        Assert.Equal(2, attrs["record_rank"]!.GetValue<int>());
        Assert.Equal(DataType.Int64, store.OpenArray("r/offsets").DataType);
        Assert.Equal([1L], store.OpenArray("r/offsets").Shape);
        Assert.Equal([0L], store.OpenArray<long>("r/offsets").Read());
        Assert.Equal([0L, 2L], store.OpenArray("r/shapes").Shape);
    }
}
