using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using ChunkCompute.Storage;
using Perfolizer.Mathematics.OutlierDetection;
using ChunkCompute.Storage.Codecs;

namespace ChunkCompute.Bench.Micro;

// The write path (issue 21): a chunk is copied from the caller's buffer into a chunk buffer, encoded, written into the
// store (straight into the array's folder, or into a transaction's staging area), and the transaction commits. These
// benchmarks use only the public API (ZarrStore, ZarrArray<T>, Transaction), so they keep measuring the same operations
// whatever the transaction layout under .chunkcompute/ is. Each class states its bytes per operation; the size also
// appears as a parameter column (ChunkMiB / StepMiB) so that the table carries it.

/// <summary>
/// Blosc encode (LZ4, byte shuffle, clevel 5, typesize 8) of one 64 MiB chunk of rounded normals (float64), with an
/// allocated output (<see cref="BloscCodec.Encode"/>) and into the encoder's pooled buffer
/// (<see cref="BloscCodec.EncodePooled"/>, what a store write uses). The 4 MiB encode is in
/// <see cref="BloscBenchmarks"/>. Bytes per operation: 67,108,864.
/// </summary>
[MemoryDiagnoser]
public class BloscEncodeLargeBenchmarks
{
    private BloscCodec _codec = null!;
    private byte[] _decoded = null!;

    /// <summary>Chunk size in MiB (bytes per operation = ChunkMiB × 1,048,576).</summary>
    [Params(64)]
    public int ChunkMiB { get; set; }

    /// <summary>Builds the chunk and checks that it round-trips.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _codec = BloscCodec.Lz4Shuffle(8);
        _decoded = MicroData.RoundedNormals(ChunkMiB << 20, 8);
        var back = _codec.Decode(_codec.Encode(_decoded));
        if (!back.AsSpan().SequenceEqual(_decoded))
        {
            throw new InvalidOperationException("Blosc LZ4 64 MiB: the encoded chunk does not decode to the input");
        }
    }

    /// <summary>Encodes the chunk into a new array.</summary>
    [Benchmark(Baseline = true)]
    public byte[] Encode() => _codec.Encode(_decoded);

    /// <summary>Encodes the chunk into a pooled buffer, returned to the pool at once.</summary>
    [Benchmark]
    public int EncodePooled()
    {
        using var frame = _codec.EncodePooled(_decoded);
        return frame.Memory.Length;
    }
}

/// <summary>
/// Zstd encode (<see cref="ZstdCodec"/>, the <c>zstd</c> bytes-to-bytes codec of Zarr v3 arrays written with
/// <c>Compression.Zstd</c>) of one chunk of rounded normals (float64), 4 and 64 MiB, level 0 (zstd's default, 3) and 1.
/// Allocates the output (the codec has no pooled encode). Bytes per operation: ChunkMiB × 1,048,576.
/// </summary>
[MemoryDiagnoser]
public class ZstdEncodeBenchmarks
{
    private ZstdCodec _codec = null!;
    private byte[] _decoded = null!;

    /// <summary>Chunk size in MiB (bytes per operation = ChunkMiB × 1,048,576).</summary>
    [Params(4, 64)]
    public int ChunkMiB { get; set; }

    /// <summary>Compression level.</summary>
    [Params(0, 1)]
    public int Level { get; set; }

    /// <summary>Builds the chunk and checks that it round-trips.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _codec = new ZstdCodec(Level);
        _decoded = MicroData.RoundedNormals(ChunkMiB << 20, 8);
        if (!_codec.Decode(_codec.Encode(_decoded)).AsSpan().SequenceEqual(_decoded))
        {
            throw new InvalidOperationException("Zstd: the encoded chunk does not decode to the input");
        }
    }

    /// <summary>Encodes the chunk.</summary>
    [Benchmark]
    public byte[] Encode() => _codec.Encode(_decoded);
}

/// <summary>How <see cref="ChunkWriteBenchmarks"/> writes its chunk.</summary>
public enum ChunkWriteMode
{
    /// <summary>A store opened with <c>Transactional = false</c>: the chunk file is written in place, no log.</summary>
    Plain,

    /// <summary>Inside one open transaction (never committed during the run): the chunk is staged.</summary>
    InTransaction,

    /// <summary>A transactional (durable, the default) store written outside a transaction: each write is its own commit.</summary>
    AutoCommit,
}

/// <summary>Which chunk <see cref="ChunkWriteBenchmarks"/> writes.</summary>
public enum ChunkTarget
{
    /// <summary>A chunk never written before in the store (or the transaction).</summary>
    New,

    /// <summary>
    /// One of 16 chunks written (and committed) before the run, in turn: the write replaces a chunk file (in
    /// <see cref="ChunkWriteMode.AutoCommit"/> the replaced chunk is kept as a pre-image; in
    /// <see cref="ChunkWriteMode.InTransaction"/> the 17th and later writes replace a staged chunk).
    /// </summary>
    Existing,
}

/// <summary>
/// Writes one whole chunk of a 1-D float64 array (Zarr v2, Blosc LZ4 shuffle clevel 5, like the append case) through
/// <see cref="ZarrArray{T}.Write(ArraySubset, ReadOnlySpan{T}, CancellationToken)"/> with a region equal to that chunk,
/// into a directory store in a temporary folder: copy into the chunk buffer, encode, write the file (and, in
/// <see cref="ChunkWriteMode.AutoCommit"/>, commit). One write per iteration (<c>InvocationCount = 1</c>), so Median is
/// the p50 of single writes and the number of chunks a run leaves on disk is bounded. Bytes per operation: ChunkMiB ×
/// 1,048,576. Data: rounded normals (seeded).
/// </summary>
[MemoryDiagnoser]
[ExceptionDiagnoser]
[Config(typeof(LatencyColumns))]
[Outliers(OutlierMode.DontRemove)]
[InvocationCount(1)]
[WarmupCount(5)]
[IterationCount(41)]
public class ChunkWriteBenchmarks
{
    private const int Ring = 16;
    private const long MaxChunks = 1 << 16;
    private string _directory = null!;
    private ZarrStore _store = null!;
    private Transaction? _transaction;
    private ZarrArray<double> _array = null!;
    private double[] _chunk = null!;
    private int _elements;
    private long _next;

    /// <summary>Chunk size in MiB (bytes per operation = ChunkMiB × 1,048,576).</summary>
    [Params(1, 4)]
    public int ChunkMiB { get; set; }

    /// <summary>Where the write goes.</summary>
    [ParamsAllValues]
    public ChunkWriteMode Mode { get; set; }

    /// <summary>Which chunk is written.</summary>
    [ParamsAllValues]
    public ChunkTarget Target { get; set; }

    /// <summary>Creates the store and the array, writes the 16 existing chunks (and opens the transaction).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _elements = (ChunkMiB << 20) / sizeof(double);
        _chunk = MicroData.Doubles(_elements);
        _directory = WriteData.NewDirectory("chunk-write");
        _store = ZarrStore.Open(_directory, new ZarrStoreOptions { Transactional = Mode != ChunkWriteMode.Plain });
        var array = _store.CreateArray<double>("x", [MaxChunks * _elements], [_elements], WriteData.ArrayOptions);
        if (Target == ChunkTarget.Existing)
        {
            for (long k = 0; k < Ring; k++)
            {
                array.Write(new ArraySubset([k * _elements], [_elements]), _chunk);
            }
        }
        else
        {
            _next = Ring; // chunks 0..15 stay unwritten; new chunks start after them
        }

        if (Mode == ChunkWriteMode.InTransaction)
        {
            _transaction = _store.BeginTransaction();
            _array = _transaction.OpenArray<double>("x");
        }
        else
        {
            _array = _store.OpenArray<double>("x");
        }
    }

    /// <summary>Writes the next chunk.</summary>
    [Benchmark]
    public void WriteChunk()
    {
        long k = _next++;
        if (Target == ChunkTarget.Existing)
        {
            k %= Ring;
        }
        else if (k >= MaxChunks)
        {
            throw new InvalidOperationException("chunk write: more writes than chunks in the array");
        }

        _array.Write(new ArraySubset([k * _elements], [_elements]), _chunk);
    }

    /// <summary>Checks that the last written chunk reads back as written, then deletes the store.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        try
        {
            long last = Target == ChunkTarget.Existing ? (_next + Ring - 1) % Ring : _next - 1;
            if (Target == ChunkTarget.Existing || _next > Ring)
            {
                WriteData.CheckChunk(_array, last, _chunk, $"chunk write ({Mode}, {Target}, {ChunkMiB} MiB)");
            }
        }
        finally
        {
            _transaction?.Dispose();
            _store.Dispose();
            WriteData.DeleteDirectory(_directory);
        }
    }
}

/// <summary>
/// Commit latency (issue 21's target: p50 ≤ 2 ms): on a transactional directory store, one transaction that writes one
/// new 1 MiB chunk of a 1-D float64 array (Zarr v2, Blosc LZ4 shuffle) and commits, with <c>Durable</c> true (flushes
/// to disk before publishing) and false. One commit per iteration (<c>InvocationCount = 1</c>), so the Median column is
/// the p50 of single commits and P95 their 95th percentile. <see cref="WholeTransaction"/> times BeginTransaction + Write +
/// Commit (what bench/Runner's commit_latency measures); <see cref="CommitOnly"/> times Commit alone (the transaction
/// is begun and the chunk staged before the timer starts). Each commit writes a chunk never written before, so no
/// pre-image is kept. Bytes per operation: 1,048,576.
/// </summary>
[MemoryDiagnoser]
[ExceptionDiagnoser]
[Config(typeof(LatencyColumns))]
[Outliers(OutlierMode.DontRemove)]
[InvocationCount(1)]
[WarmupCount(5)]
[IterationCount(51)]
public class CommitLatencyBenchmarks
{
    private const int Elements = (1 << 20) / sizeof(double);
    private const long MaxChunks = 1 << 20;
    private string _directory = null!;
    private ZarrStore _store = null!;
    private double[] _chunk = null!;
    private Transaction? _pending;
    private long _next;
    private long _commits;
    private long _lastCommitted = -1;
    private long _pendingChunk;

    /// <summary>Chunk size in MiB (bytes per operation).</summary>
    [Params(1)]
    public int ChunkMiB { get; set; }

    /// <summary>Whether commits flush to disk (<see cref="ZarrStoreOptions.Durable"/>).</summary>
    [Params(true, false)]
    public bool Durable { get; set; }

    /// <summary>Creates the store and an array of up to 2^20 chunks.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _chunk = MicroData.Doubles(Elements);
        _directory = WriteData.NewDirectory("commit");
        _store = ZarrStore.Open(_directory, new ZarrStoreOptions { Durable = Durable });
        _store.CreateArray<double>("x", [MaxChunks * Elements], [Elements], WriteData.ArrayOptions);
    }

    /// <summary>One transaction: begin, write one new chunk, commit.</summary>
    [Benchmark(Baseline = true)]
    public long WholeTransaction()
    {
        using var tx = _store.BeginTransaction();
        long k = _next++;
        tx.OpenArray<double>("x").Write(ChunkRegion(k), _chunk);
        long version = tx.Commit();
        Committed(k);
        return version;
    }

    /// <summary>Begins the transaction and stages its chunk for <see cref="CommitOnly"/>.</summary>
    [IterationSetup(Target = nameof(CommitOnly))]
    public void Stage()
    {
        _pending = _store.BeginTransaction();
        _pendingChunk = _next++;
        _pending.OpenArray<double>("x").Write(ChunkRegion(_pendingChunk), _chunk);
    }

    /// <summary>The commit of a transaction that staged one chunk.</summary>
    [Benchmark]
    public long CommitOnly()
    {
        long version = _pending!.Commit();
        Committed(_pendingChunk);
        return version;
    }

    /// <summary>Ends the committed transaction.</summary>
    [IterationCleanup(Target = nameof(CommitOnly))]
    public void EndStaged()
    {
        _pending?.Dispose();
        _pending = null;
    }

    /// <summary>Checks that the store holds every committed chunk and the last reads back, then deletes the store.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        try
        {
            using var reopened = ZarrStore.OpenExisting(_directory);
            var x = reopened.OpenArray<double>("x");
            if (x.Untyped.StoredChunkCount() != _commits)
            {
                throw new InvalidOperationException($"commit latency: {x.Untyped.StoredChunkCount()} chunks stored after {_commits} commits");
            }

            if (_lastCommitted >= 0)
            {
                WriteData.CheckChunk(x, _lastCommitted, _chunk, "commit latency");
            }
        }
        finally
        {
            _pending?.Dispose();
            _store.Dispose();
            WriteData.DeleteDirectory(_directory);
        }
    }

    private static ArraySubset ChunkRegion(long k) =>
        k < MaxChunks
            ? new ArraySubset([k * Elements], [Elements])
            : throw new InvalidOperationException("commit latency: more transactions than chunks in the array");

    private void Committed(long k)
    {
        _commits++;
        _lastCommitted = k;
    }
}

/// <summary>
/// Append in one transaction: a 1-D float64 array (Zarr v2, Blosc LZ4 shuffle, chunks of 1,048,576 elements = 8 MiB,
/// as in bench/Runner's append case) on a new transactional directory store, then one transaction that appends 64 MiB
/// (8,388,608 rows, 8 chunks) with <see cref="ZarrArray{T}.Append(ReadOnlySpan{T}, int, CancellationToken)"/> and
/// commits, <c>Durable</c> true and false. The store is made afresh before each append (not timed), so every append
/// starts from the same empty array; one append per iteration. Bytes per operation: 67,108,864.
/// </summary>
[MemoryDiagnoser]
[ExceptionDiagnoser]
[Config(typeof(LatencyColumns))]
[Outliers(OutlierMode.DontRemove)]
[InvocationCount(1)]
[WarmupCount(2)]
[IterationCount(9)]
public class AppendBenchmarks
{
    private const int ChunkElements = 1 << 20;
    private string _root = null!;
    private string? _directory;
    private ZarrStore? _store;
    private double[] _rows = null!;
    private int _stores;
    private bool _appended;

    /// <summary>Appended MiB per operation (bytes per operation = StepMiB × 1,048,576).</summary>
    [Params(64)]
    public int StepMiB { get; set; }

    /// <summary>Whether the commit flushes to disk (<see cref="ZarrStoreOptions.Durable"/>).</summary>
    [Params(true, false)]
    public bool Durable { get; set; }

    /// <summary>Builds the rows to append.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _rows = MicroData.Doubles((StepMiB << 20) / sizeof(double));
        _root = WriteData.NewDirectory("append");
    }

    /// <summary>A new store holding an empty array.</summary>
    [IterationSetup]
    public void NewStore()
    {
        _directory = Path.Combine(_root, (_stores++).ToString(System.Globalization.CultureInfo.InvariantCulture));
        _store = ZarrStore.Open(_directory, new ZarrStoreOptions { Durable = Durable });
        _store.CreateArray<double>("x", [0], [ChunkElements], WriteData.ArrayOptions);
        _appended = false;
    }

    /// <summary>One transaction appending the rows.</summary>
    [Benchmark]
    public long Append()
    {
        using var tx = _store!.BeginTransaction();
        tx.OpenArray<double>("x").Append(_rows);
        long version = tx.Commit();
        _appended = true;
        return version;
    }

    /// <summary>Checks the appended array's shape and last chunk (after an append: BenchmarkDotNet's overhead
    /// iterations also run the iteration setup and cleanup), then deletes the store.</summary>
    [IterationCleanup]
    public void DropStore()
    {
        try
        {
            if (!_appended)
            {
                return;
            }

            using var reopened = ZarrStore.OpenExisting(_directory!);
            var x = reopened.OpenArray<double>("x");
            if (x.Shape[0] != _rows.Length)
            {
                throw new InvalidOperationException($"append: shape [{x.Shape[0]}] after appending {_rows.Length} rows");
            }

            long last = (_rows.Length / ChunkElements) - 1;
            WriteData.CheckChunk(x, last, _rows.AsSpan((int)(last * ChunkElements), ChunkElements), "append");
        }
        finally
        {
            _store?.Dispose();
            _store = null;
            WriteData.DeleteDirectory(_directory!);
        }
    }

    /// <summary>Deletes the temporary folder.</summary>
    [GlobalCleanup]
    public void Cleanup() => WriteData.DeleteDirectory(_root);
}

/// <summary>Adds the latency columns (median = p50, P95, min, max) to a class's table.</summary>
public sealed class LatencyColumns : ManualConfig
{
    /// <summary>Creates the configuration.</summary>
    public LatencyColumns() =>
        AddColumn(StatisticColumn.Median, StatisticColumn.P95, StatisticColumn.Min, StatisticColumn.Max);
}

/// <summary>Shared pieces of the write-path benchmarks.</summary>
internal static class WriteData
{
    /// <summary>Zarr v2, Blosc LZ4 clevel 5 with byte shuffle: the append case's arrays.</summary>
    public static readonly ArrayOptions ArrayOptions = new()
    {
        Format = ZarrFormat.V2,
        Compression = Compression.Blosc("lz4", 5, BloscShuffle.Shuffle),
    };

    /// <summary>A new empty folder under the temporary directory.</summary>
    public static string NewDirectory(string name)
    {
        string path = Path.Combine(Path.GetTempPath(), $"cc-micro-{name}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Deletes a folder and its contents if it exists.</summary>
    public static void DeleteDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    /// <summary>Throws unless chunk <paramref name="k"/> of the 1-D array reads back as <paramref name="expected"/>.</summary>
    public static void CheckChunk(ZarrArray<double> array, long k, ReadOnlySpan<double> expected, string what)
    {
        long n = array.ChunkShape[0];
        double[] actual = array.Read(new ArraySubset([k * n], [n]));
        if (!actual.AsSpan().SequenceEqual(expected))
        {
            throw new InvalidOperationException($"{what}: chunk {k} does not read back as written");
        }
    }
}
