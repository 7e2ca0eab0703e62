// Managed vs native codec backends, single thread, interleaved in one process (issue 16).
//   DOTNET_PROCESSOR_COUNT=1 dotnet run -c Release bench/CodecBackends/codec_backends.cs [MiB=64] [rounds=5]
// DOTNET_PROCESSOR_COUNT=1 keeps Blosc's block-parallel encoder on one thread. Data: float64 normals rounded to 2
// decimals (as bench/Micro), in 4 MiB chunks. Each round runs every case on each backend in turn; the table shows the
// median throughput over rounds (uncompressed bytes per second).
#:project ../../src/Storage/ChunkCompute.Storage.csproj
#:property TreatWarningsAsErrors=false
#:property PublicAPIAnalyzer=false
using System.Diagnostics;
using System.Globalization;
using ChunkCompute.Storage.Codecs;

int mib = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 64;
int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
const int ChunkBytes = 4 << 20;
var rng = new Random(42);
var chunks = new List<byte[]>();
for (var c = 0; c < mib / 4; c++)
{
    var values = new double[ChunkBytes / 8];
    for (var i = 0; i < values.Length; i++)
    {
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        values[i] = Math.Round(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2), 2);
    }

    var bytes = new byte[ChunkBytes];
    Buffer.BlockCopy(values, 0, bytes, 0, ChunkBytes);
    chunks.Add(bytes);
}

var cases = new (string Name, IBytesToBytesCodec Codec)[]
{
    ("blosc-lz4 clevel5 shuffle", BloscCodec.Lz4Shuffle(8, 5)),
    ("blosc-zstd clevel5 shuffle", new BloscCodec(BloscCompressor.Zstd, 5, BloscShuffle.Shuffle, 8)),
    ("zstd level1", new ZstdCodec(1)),
    ("zstd level3", new ZstdCodec(3)),
    ("lz4 (numcodecs)", new Lz4Codec()),
    ("bz2 level1 (16 MiB)", new Bz2Codec(1)),
};
var backends = new[] { CodecBackend.Native, CodecBackend.Managed };
var results = new Dictionary<(string, CodecBackend, string), List<double>>();
var sizes = new Dictionary<(string, CodecBackend), long>();
var decoded = new byte[ChunkBytes];
for (var round = 0; round <= rounds; round++) // round 0 warms up (JIT, contexts) and is not recorded
{
    foreach (var (name, codec) in cases)
    {
        var set = name.StartsWith("bz2", StringComparison.Ordinal) ? chunks.Take(Math.Max(1, chunks.Count / 4)).ToList() : chunks;
        foreach (var backend in backends)
        {
            CodecBackends.Prefer = backend;
            var sw = Stopwatch.StartNew();
            var encoded = set.Select(c => codec.Encode(c)).ToList();
            var encodeSeconds = sw.Elapsed.TotalSeconds;
            sw.Restart();
            foreach (var e in encoded)
            {
                codec.Decode(e, decoded);
            }

            var decodeSeconds = sw.Elapsed.TotalSeconds;
            if (!decoded.AsSpan().SequenceEqual(set[^1]))
            {
                throw new InvalidOperationException($"{name} {backend}: round trip differs");
            }

            if (round == 0)
            {
                continue;
            }

            long total = (long)set.Count * ChunkBytes;
            sizes[(name, backend)] = encoded.Sum(e => (long)e.Length);
            Add((name, backend, "encode"), total / encodeSeconds / 1e6);
            Add((name, backend, "decode"), total / decodeSeconds / 1e6);
        }
    }
}

Console.WriteLine($"{mib} MiB float64 (rounded normals) in 4 MiB chunks, {rounds} rounds, median MB/s, Environment.ProcessorCount={Environment.ProcessorCount}");
Console.WriteLine("| case | op | native MB/s | managed MB/s | managed/native | ratio native / managed |");
Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: |");
foreach (var (name, _) in cases)
{
    foreach (var op in new[] { "decode", "encode" })
    {
        var n = Median(results[(name, CodecBackend.Native, op)]);
        var m = Median(results[(name, CodecBackend.Managed, op)]);
        long raw = name.StartsWith("bz2", StringComparison.Ordinal) ? Math.Max(1, chunks.Count / 4) * (long)ChunkBytes : chunks.Count * (long)ChunkBytes;
        Console.WriteLine(FormattableString.Invariant($"| {name} | {op} | {n:F0} | {m:F0} | {m / n:F2} | {(double)raw / sizes[(name, CodecBackend.Native)]:F2} / {(double)raw / sizes[(name, CodecBackend.Managed)]:F2} |"));
    }
}

void Add((string, CodecBackend, string) key, double value)
{
    if (!results.TryGetValue(key, out var list))
    {
        results[key] = list = [];
    }

    list.Add(value);
}

static double Median(List<double> xs)
{
    var s = xs.Order().ToList();
    return s.Count % 2 == 1 ? s[s.Count / 2] : (s[(s.Count / 2) - 1] + s[s.Count / 2]) / 2;
}
