using System.Globalization;
using Xunit;
using ChunkCompute.ML;
using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;

namespace ChunkCompute.Tests.ML.Ragged;

/// <summary>zarr-python 2 reads a ragged array we wrote (Zarr v2) and reconstructs its records from values, offsets and shapes.</summary>
public sealed class RaggedInteropTests : IDisposable
{
    // argv: store root, group path, record index. Prints the layout attribute, the record's shape and its values.
    private const string ReadRecord = """
        import sys, json
        import numpy as np
        import zarr
        g = zarr.open_group(zarr.DirectoryStore(sys.argv[1]), path=sys.argv[2], mode='r')
        layout = g.attrs['chunkcompute_ragged']
        values, offsets = g['values'], g['offsets'][:]
        i = int(sys.argv[3])
        assert offsets[0] == 0 and np.all(np.diff(offsets) >= 0) and offsets[-1] == values.shape[0]
        record = values[int(offsets[i]):int(offsets[i + 1])]
        if layout['record_rank'] > 1:
            record = record.reshape(tuple(int(d) for d in g['shapes'][i]))
        print(json.dumps({'layout': layout, 'count': int(len(offsets) - 1), 'dtype': str(values.dtype), 'compressor': values.compressor.codec_id,
                          'shape': list(record.shape), 'values': [float(v) for v in record.ravel()],
                          'sums': [float(values[int(a):int(b)].astype('f8').sum()) for a, b in zip(offsets[:-1], offsets[1:])]}))
        """;

    private readonly TempDirectory _dir = new("cc-ragged-py");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ZarrPython_ReadsValuesOffsetsAndShapes_ReconstructsRecord()
    {
        PythonZarr.RequireOrSkip();
        string root = _dir.Combine("r.zarr");
        var shapes = new long[][] { [2, 3], [0, 4], [3, 5], [1, 1], [4, 2] };
        var records = shapes.Select((s, k) => new RaggedRecord<float>(Enumerable.Range(0, (int)(s[0] * s[1])).Select(v => (k * 100) + (v * 0.25f)).ToArray(), s)).ToList();
        using (var store = ZarrStore.Open(root))
        {
            var ragged = RaggedArray<float>.Create(store, "data/frames", recordRank: 2, valuesChunk: 7, new RaggedArrayOptions { Format = ZarrFormat.V2, OffsetsChunk = 2 });
            ragged.Append(records[0].Values, records[0].Shape);
            ragged.AppendMany(records.Skip(1));
        }

        var json = System.Text.Json.Nodes.JsonNode.Parse(PythonZarr.Run(ReadRecord, root, "data/frames", "2"))!;
        Assert.Equal(1, json["layout"]!["version"]!.GetValue<int>());
        Assert.Equal("float32", json["layout"]!["dtype"]!.GetValue<string>());
        Assert.Equal(2, json["layout"]!["record_rank"]!.GetValue<int>());
        Assert.Equal(5, json["count"]!.GetValue<int>());
        Assert.Equal("float32", json["dtype"]!.GetValue<string>());
        Assert.Equal("blosc", json["compressor"]!.GetValue<string>());
        Assert.Equal([3L, 5L], json["shape"]!.AsArray().Select(v => v!.GetValue<long>()));
        Assert.Equal(records[2].Values.Select(v => (double)v), json["values"]!.AsArray().Select(v => v!.GetValue<double>()));

        // NumPy's per-record sums agree with ours.
        using var reopened = ZarrStore.OpenExisting(root);
        var sums = RaggedArray<float>.Open(reopened, "data/frames").Sums();
        var numpy = json["sums"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        Assert.Equal(numpy.Length, sums.Length);
        for (int i = 0; i < sums.Length; i++)
        {
            Assert.True(Math.Abs(numpy[i] - sums[i]) <= 1e-9 * Math.Max(1, Math.Abs(numpy[i])), string.Create(CultureInfo.InvariantCulture, $"record {i}: {sums[i]} vs NumPy {numpy[i]}"));
        }
    }
}
