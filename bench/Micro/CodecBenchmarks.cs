using BenchmarkDotNet.Attributes;
using ChunkCompute.Storage.Codecs;

namespace ChunkCompute.Bench.Micro;

/// <summary>
/// Blosc encode and decode of one 4 MiB chunk with <see cref="BloscCodec"/> (LZ4, byte shuffle, clevel 5), typesize 4
/// (float32) and 8 (float64); the data are rounded normals like the stored benchmark arrays. Throughput: 4 MiB /
/// Mean (the MB/s column).
/// </summary>
[MemoryDiagnoser]
public class BloscBenchmarks
{
    private const int Bytes = 4 << 20;
    private BloscCodec _codec = null!;
    private byte[] _decoded = null!;
    private byte[] _encoded = null!;
    private byte[] _destination = null!;

    /// <summary>Element size in bytes.</summary>
    [Params(4, 8)]
    public int TypeSize { get; set; }

    /// <summary>Builds the chunk and its encoding.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _codec = BloscCodec.Lz4Shuffle(TypeSize);
        _decoded = MicroData.RoundedNormals(Bytes, TypeSize);
        _encoded = _codec.Encode(_decoded);
        _destination = new byte[Bytes];
    }

    /// <summary>Decodes the chunk into a reused buffer.</summary>
    [Benchmark]
    public void Decode() => _codec.Decode(_encoded, _destination);

    /// <summary>Encodes the chunk (allocates the output).</summary>
    [Benchmark]
    public byte[] Encode() => _codec.Encode(_decoded);

    /// <summary>Encodes the chunk into the encoder's pooled buffer (what a store write uses), returned at once.</summary>
    [Benchmark]
    public int EncodePooled()
    {
        using var frame = _codec.EncodePooled(_decoded);
        return frame.Memory.Length;
    }
}

/// <summary>
/// Byte unshuffle, through the public codec (ByteShuffle is internal and the bench is not granted internals): decode
/// of a 4 MiB Blosc-LZ4 frame of a linear ramp with byte shuffle against the same frame without shuffle. The
/// difference of the two means is the unshuffle's cost for typesize 2, 4 and 8.
/// </summary>
[MemoryDiagnoser]
public class UnshuffleBenchmarks
{
    private const int Bytes = 4 << 20;
    private byte[] _shuffled = null!;
    private byte[] _plain = null!;
    private byte[] _destination = null!;
    private BloscCodec _codec = null!;

    /// <summary>Element size in bytes.</summary>
    [Params(2, 4, 8)]
    public int TypeSize { get; set; }

    /// <summary>Builds both frames.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var data = MicroData.Ramp(Bytes, TypeSize);
        _codec = new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.Shuffle, TypeSize);
        _shuffled = _codec.Encode(data);
        _plain = new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.NoShuffle, TypeSize).Encode(data);
        _destination = new byte[Bytes];
    }

    /// <summary>Decode with unshuffle.</summary>
    [Benchmark]
    public void DecodeShuffled() => _codec.Decode(_shuffled, _destination);

    /// <summary>Decode without shuffle (the baseline).</summary>
    [Benchmark(Baseline = true)]
    public void DecodeNoShuffle() => _codec.Decode(_plain, _destination);
}
