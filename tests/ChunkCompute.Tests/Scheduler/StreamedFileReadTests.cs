using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Codecs;
using ChunkCompute.Tests.Interop;

namespace ChunkCompute.Tests.Scheduler;

/// <summary>
/// Streamed reductions over arrays in a directory store, where each Blosc block is read from the chunk file just
/// before it is decoded: results against a naive reference for every shuffle and block size, blocks stored out of
/// order, truncated and damaged files (the error names the chunk), and the snapshot a handle was opened at (a later
/// commit's chunks are not read; a transaction reads its own staged chunks).
/// </summary>
public sealed class StreamedFileReadTests : IDisposable
{
    private readonly TempDirectory _dir = new("cc-streamed");
    private int _stores;

    public void Dispose() => _dir.Dispose();

    [Theory]
    [MemberData(nameof(StreamedReductionTests.Layouts), MemberType = typeof(StreamedReductionTests))]
    public void Reductions_FromChunkFiles_MatchNaiveReference(string shuffle, int level, int blockSize)
    {
        // [300, 150] in [128, 64] chunks: edge chunks along both axes (those cut along the last axis are read whole).
        long[] shape = [300, 150];
        var values = Values(shape.Aggregate(1L, (a, b) => a * b), seed: blockSize + level);
        string path = Write(shape, [128, 64], shuffle, level, blockSize, values);
        using var store = ZarrStore.Open(path);
        var x = store.Open<double>("x");

        Assert.Equal(values.Sum(), x.Sum().ComputeScalar(), 1e-9 * values.Sum(Math.Abs));
        Assert.Equal(values.Max(), x.Max().ComputeScalar());
        var rowSums = Enumerable.Range(0, 300).Select(i => values.Skip(i * 150).Take(150).Sum()).ToArray();
        var actualRows = x.Sum(1).Compute().ToArray();
        for (int i = 0; i < rowSums.Length; i++)
        {
            Assert.Equal(rowSums[i], actualRows[i], 1e-9 * (1 + Math.Abs(rowSums[i])));
        }

        var columnMeans = Enumerable.Range(0, 150).Select(j => Enumerable.Range(0, 300).Average(i => values[(i * 150) + j])).ToArray();
        var actualColumns = x.Mean(0).Compute().ToArray();
        for (int j = 0; j < columnMeans.Length; j++)
        {
            Assert.Equal(columnMeans[j], actualColumns[j], 1e-9 * (1 + Math.Abs(columnMeans[j])));
        }

        Assert.Contains("streamed", x.Sum().Explain(), StringComparison.Ordinal);
    }

    [Fact]
    public void BlocksStoredOutOfOrder_AreEachReadFromWhereTheyLie()
    {
        // c-blosc's threads may append blocks in the order they finish: the table, not the file order, says where.
        long[] shape = [20_000];
        var values = Values(shape[0], seed: 21);
        string path = Write(shape, [8192], "shuffle", 5, 8192, values);
        foreach (string chunk in new[] { "0", "1", "2" })
        {
            string file = Path.Combine(path, "x", chunk);
            File.WriteAllBytes(file, ReverseBlocks(File.ReadAllBytes(file)));
        }

        using var store = ZarrStore.Open(path);
        var x = store.Open<double>("x");
        Assert.Equal(values.Sum(), x.Sum().ComputeScalar(), 1e-9 * values.Sum(Math.Abs));
        Assert.Equal(values.Average(), x.Mean().ComputeScalar(), 1e-12 * values.Average(Math.Abs));
        Assert.Equal(values, x.Compute().ToArray()); // the whole-chunk decoder agrees
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("damaged")]
    [InlineData("table")]
    public void BadChunkFile_FailsNamingTheChunk(string damage)
    {
        long[] shape = [8192];
        var values = Values(shape[0], seed: 5);
        string path = Write(shape, [4096], "shuffle", 5, 8192, values);
        string file = Path.Combine(path, "x", "1");
        var frame = File.ReadAllBytes(file);
        switch (damage)
        {
            case "truncated":
                frame = frame[..^100]; // the header still claims the full length
                break;
            case "damaged":
                // A compressed split that claims more bytes than its block has: the last block's first split header.
                int lastStart = BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(16 + (4 * (BlockCount(frame) - 1))));
                BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(lastStart), frame.Length);
                break;
            default:
                BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(16), frame.Length + 5); // block 0 starts past the end
                break;
        }

        File.WriteAllBytes(file, frame);
        using var store = ZarrStore.Open(path);
        var ex = Assert.ThrowsAny<Exception>(() => store.Open<double>("x").Sum().ComputeScalar());
        Assert.Contains("x/1", ex.ToString(), StringComparison.Ordinal);

        // The undamaged chunk still reads.
        Assert.Equal(values.Take(4096).Sum(), store.Open<double>("x").Slice(":4096").Sum().ComputeScalar(), 1e-9 * values.Sum(Math.Abs));
    }

    [Fact]
    public void Handle_ReadsItsSnapshot_WhileALaterCommitReplacesTheChunks()
    {
        long[] shape = [30_000];
        var before = Values(shape[0], seed: 1);
        var after = before.Select(v => v + 1000).ToArray();
        string path = Write(shape, [4096], "shuffle", 5, 0, before);

        using var reader = ZarrStore.Open(path);
        var old = reader.Open<double>("x");
        using (var writer = ZarrStore.Open(path))
        {
            writer.OpenArray<double>("x").Write(new ArraySubset([0], shape), after);
        }

        Assert.Equal(before.Sum(), old.Sum().ComputeScalar(), 1e-9 * before.Sum(Math.Abs));
        using var fresh = ZarrStore.Open(path);
        Assert.Equal(after.Sum(), fresh.Open<double>("x").Sum().ComputeScalar(), 1e-9 * after.Sum(Math.Abs));
    }

    [Fact]
    public void Transaction_ReadsItsStagedChunks()
    {
        long[] shape = [10_000];
        var before = Values(shape[0], seed: 2);
        var staged = before.Select(v => v * 3).ToArray();
        string path = Write(shape, [4096], "shuffle", 5, 0, before);

        using var store = ZarrStore.Open(path);
        using var tx = store.BeginTransaction();
        tx.OpenArray<double>("x").Write(new ArraySubset([0], [5000]), staged[..5000]);
        var inside = ChunkedArray.FromZarr(tx.OpenArray<double>("x"));
        double expected = staged[..5000].Sum() + before[5000..].Sum();
        Assert.Equal(expected, inside.Sum().ComputeScalar(), 1e-9 * staged.Sum(Math.Abs));
        tx.Abort();

        Assert.Equal(before.Sum(), store.Open<double>("x").Sum().ComputeScalar(), 1e-9 * before.Sum(Math.Abs));
    }

    // Writes array "x" (Blosc-LZ4, the given shuffle and forced block size) into a new directory store; returns its path.
    private string Write(long[] shape, int[] chunks, string shuffle, int level, int blockSize, double[] values)
    {
        string path = _dir.Combine($"s{_stores++}.zarr");
        var mode = shuffle switch { "bitshuffle" => BloscShuffle.BitShuffle, "noshuffle" => BloscShuffle.NoShuffle, _ => BloscShuffle.Shuffle };
        using (var setup = ZarrStore.Open(path))
        {
            setup.CreateArray("x", DataType.Float64, shape, chunks, new ArrayOptions { Format = ZarrFormat.V2, Compression = Compression.Blosc("lz4", level, mode) });
        }

        // The block size is not an option of ours: patch it into .zarray as another writer would have set it.
        string zarray = Path.Combine(path, "x", ".zarray");
        var meta = JsonNode.Parse(File.ReadAllText(zarray))!.AsObject();
        meta["compressor"]!["blocksize"] = blockSize;
        File.WriteAllText(zarray, meta.ToJsonString());

        using var store = ZarrStore.Open(path);
        store.OpenArray<double>("x").Write(new ArraySubset(new long[shape.Length], shape), values);
        return path;
    }

    private static double[] Values(long count, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, (int)count).Select(_ => Math.Round((rng.NextDouble() - 0.3) * 1000, 3)).ToArray();
    }

    private static int BlockCount(byte[] frame)
    {
        int nbytes = BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(4));
        int blocksize = BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(8));
        return (nbytes + blocksize - 1) / blocksize;
    }

    // The same frame with its blocks' bytes laid out in reverse order and the block table pointing at them.
    private static byte[] ReverseBlocks(byte[] frame)
    {
        int count = BlockCount(frame);
        Assert.True(count >= 3, $"the test needs several blocks, the frame has {count}");
        int cbytes = BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(12));
        var starts = Enumerable.Range(0, count).Select(b => BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(16 + (4 * b)))).ToArray();
        var result = new byte[cbytes];
        frame.AsSpan(0, 16 + (4 * count)).CopyTo(result);
        int at = 16 + (4 * count);
        for (int b = count - 1; b >= 0; b--)
        {
            int end = b + 1 < count ? starts[b + 1] : cbytes;
            frame.AsSpan(starts[b], end - starts[b]).CopyTo(result.AsSpan(at));
            BinaryPrimitives.WriteInt32LittleEndian(result.AsSpan(16 + (4 * b)), at);
            at += end - starts[b];
        }

        Assert.Equal(cbytes, at);
        return result;
    }
}
