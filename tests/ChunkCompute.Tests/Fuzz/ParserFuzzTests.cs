using System.Text;
using ChunkCompute.Cli.Commands;
using ChunkCompute.Cli.Progress;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Codecs;
using ChunkCompute.Storage.Npy;
using ChunkCompute.Tests.Storage.NpyFormat;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Fuzz;

/// <summary>
/// One bounded mutation-fuzz target per parser of untrusted input (issue 13): Zarr v2 and v3 metadata, Blosc frames,
/// shard indexes, .npy headers and the CLI's CSV reader. See <see cref="Fuzzer"/> for the invariant, the bounds and
/// how to run longer (CHUNKCOMPUTE_FUZZ_SECONDS) or reproduce a failure (CHUNKCOMPUTE_FUZZ_SEED).
/// </summary>
public sealed class ParserFuzzTests(ITestOutputHelper output)
{
    // Metadata targets open the array and round-trip one chunk of at most 256 KiB: 64 MiB is far above that.
    private const long MetadataAllocationBound = 64L << 20;

    private const int JsonIterations = 12000;

    private static byte[][] FixtureFiles(string root, string name, int max) =>
        Directory.EnumerateFiles(root, name, SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(max).Select(File.ReadAllBytes).ToArray();

    private static byte[][] WrittenMetadata(ZarrFormat format)
    {
        using var store = ZarrStore.InMemory();
        var options = new[]
        {
            new ArrayOptions { Format = format, Compression = Compression.Default, FillValue = 1.5 },
            new ArrayOptions { Format = format, Compression = Compression.Zstd(3), FortranOrder = true },
            new ArrayOptions { Format = format, Compression = Compression.Gzip(5), Separator = '/' },
            new ArrayOptions { Format = format, Compression = Compression.Lz4() },
        }.ToList();
        if (format == ZarrFormat.V3)
        {
            options.Add(new ArrayOptions { Format = format, Compression = Compression.Zstd(1), ShardShape = [8, 8], Checksum = true });
            options.Add(new ArrayOptions { Format = format, Checksum = true, DimensionNames = ["y", "x"] });
        }

        var seeds = new List<byte[]>();
        for (int i = 0; i < options.Count; i++)
        {
            var array = store.CreateArray($"a{i}", i % 2 == 0 ? DataType.Float64 : DataType.Int16, [20, 12], [4, 4], options[i]);
            seeds.Add(store.Store.Get(array.MetadataKeys[0])!);
        }

        return [.. seeds];
    }

    // What a successfully opened array must support: sizes, its own metadata round trip, and a chunk round trip.
    private static void Exercise(ZarrStore store, ZarrArray array)
    {
        _ = array.GridShape;
        _ = array.ElementCount * array.DataType.Size;
        var md = array.Metadata;
        string key = md.Format == ZarrFormat.V3 ? "copy/zarr.json" : "copy/.zarray";
        store.Store.Set(key, Encoding.UTF8.GetBytes((md.Format == ZarrFormat.V3 ? md.ToV3Json() : md.ToV2Json()).ToJsonString()));
        var copy = store.OpenArray("copy");
        Assert.Equal(md.Shape, copy.Metadata.Shape);
        Assert.Equal(md.ChunkShape, copy.Metadata.ChunkShape);

        if (array.ElementCount > 0 && md.ChunkElementCount * md.DataType.Size <= 256 * 1024)
        {
            var chunk = new byte[array.ChunkByteCount];
            new Random(chunk.Length).NextBytes(chunk);
            if (md.DataType == DataType.Bool)
            {
                for (int i = 0; i < chunk.Length; i++)
                {
                    chunk[i] &= 1;
                }
            }

            var encoded = md.Codecs.Encode(chunk, md.ChunkShapeArray);
            var back = new byte[chunk.Length];
            md.Codecs.Decode(encoded, md.ChunkShapeArray, back);
            Assert.Equal(chunk, back);
            array.ReadChunkBytes(new long[array.Rank], back); // a missing chunk reads as the fill value
        }
    }

    [Theory]
    [InlineData(".zarray")]
    [InlineData(".zattrs")]
    [InlineData(".zgroup")]
    public void ZarrV2Metadata_MutatedDocuments_OpenOrThrowInvalidMetadata(string document)
    {
        var seeds = document == ".zarray"
            ? [.. FixtureFiles(FixturePaths.ZarrV2, ".zarray", 40), .. WrittenMetadata(ZarrFormat.V2)]
            : FixtureFiles(FixturePaths.ZarrV2, document, 20);
        var zarray = Encoding.UTF8.GetBytes("{\"chunks\": [4], \"compressor\": null, \"dtype\": \"<i4\", \"fill_value\": 0, \"filters\": null, \"order\": \"C\", \"shape\": [10], \"zarr_format\": 2}");
        output.WriteLine(Fuzzer.Run($"zarr v2 {document}", seeds, input =>
        {
            using var store = ZarrStore.InMemory(new ZarrStoreOptions { ChunkCacheBytes = 0 });
            switch (document)
            {
                case ".zarray":
                    store.Store.Set("a/.zarray", input);
                    Exercise(store, store.OpenArray("a"));
                    break;
                case ".zattrs":
                    store.Store.Set("a/.zarray", zarray);
                    store.Store.Set("a/.zattrs", input);
                    store.Store.Set("g/.zgroup", "{\"zarr_format\": 2}"u8);
                    store.Store.Set("g/.zattrs", input);
                    _ = store.OpenArray("a").Attributes.ToJsonString();
                    _ = store.OpenGroup("g").Attributes.ToJsonString();
                    break;
                default:
                    store.Store.Set(".zgroup", input);
                    store.Store.Set("a/.zarray", zarray);
                    _ = store.ListNodes();
                    _ = store.OpenGroup();
                    break;
            }
        }, document == ".zgroup" ? JsonIterations / 8 : JsonIterations, MetadataAllocationBound, json: true));
    }

    [Fact]
    public void ZarrV3Metadata_MutatedDocuments_OpenOrThrowInvalidMetadata()
    {
        var seeds = FixtureFiles(FixturePaths.ZarrV3, "zarr.json", 80).Concat(WrittenMetadata(ZarrFormat.V3)).ToArray();
        output.WriteLine(Fuzzer.Run("zarr v3 zarr.json", seeds, input =>
        {
            using var store = ZarrStore.InMemory(new ZarrStoreOptions { ChunkCacheBytes = 0 });
            store.Store.Set("a/zarr.json", input);
            _ = store.ListNodes();
            if (store.GetNodeKind("a") == NodeKind.Array)
            {
                Exercise(store, store.OpenArray("a"));
            }
            else
            {
                _ = store.OpenGroup("a").Attributes.ToJsonString();
            }
        }, JsonIterations * 2, MetadataAllocationBound, json: true));
    }

    [Fact]
    public void BloscFrames_MutatedFrames_DecodeToTheExpectedSizeOrThrowCodecException()
    {
        var root = Path.Combine(FixturePaths.Root, "blosc");
        var frames = Directory.GetFiles(root, "*.blosc").Order(StringComparer.Ordinal).ToArray();
        var sizes = frames.ToDictionary(f => f, f => new FileInfo(Path.Combine(root, RawName(f))).Length);
        var seeds = frames.Select(File.ReadAllBytes).ToArray();
        var expected = seeds.Select((s, i) => (Frame: s, Size: (int)sizes[frames[i]], Raw: File.ReadAllBytes(Path.Combine(root, RawName(frames[i]))))).ToArray();
        var codec = BloscCodec.Lz4Shuffle(8);

        // Each input decodes against the size of the seed it came from (what the chunk's metadata would say); a frame
        // may decode into that size only, and allocation stays within 4x the chunk plus a 256 KiB scratch block.
        long maxChunk = expected.Max(e => e.Size);
        output.WriteLine(Fuzzer.Run("blosc frame", seeds, input =>
        {
            var seed = expected.FirstOrDefault(e => e.Frame.Length > 0 && input.Length > 8 && e.Frame.AsSpan(0, 4).SequenceEqual(input.AsSpan(0, 4)));
            int size = seed.Frame is null ? (int)maxChunk : seed.Size;
            var exact = new byte[size];
            codec.Decode(input, exact);
            var bounded = codec.Decode(input, size);
            Assert.Equal(exact, bounded);
            if (seed.Frame is not null && input.AsSpan().SequenceEqual(seed.Frame))
            {
                Assert.Equal(seed.Raw, exact);
            }
        }, 40000, (4 * maxChunk) + (256 << 10)));

        static string RawName(string frame)
        {
            var parts = Path.GetFileNameWithoutExtension(frame).Split('_');
            return $"raw_{parts[2]}_{parts[3]}.bin";
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BloscFrames_MutatedFramesReadInPieces_MatchTheWholeDecodeOrThrowCorruptChunk(bool directory)
    {
        // The piecewise Blosc reader (BloscPieces: from memory, or from a file block by block) parses the header and
        // block table itself: it must agree with the whole-chunk decoder or fail with a named error.
        var root = Path.Combine(FixturePaths.Root, "blosc");
        var seeds = Directory.GetFiles(root, "*_n*_c5.blosc").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).Where(f => f.Length > 16).ToArray();
        using var dir = new Interop.TempDirectory();
        using var store = directory
            ? new ZarrStore(new ChunkCompute.Storage.Stores.DirectoryStore(dir.Path), new ZarrStoreOptions { ChunkCacheBytes = 0 })
            : ZarrStore.InMemory(new ZarrStoreOptions { ChunkCacheBytes = 0 });
        output.WriteLine(Fuzzer.Run($"blosc pieces ({(directory ? "file" : "memory")})", seeds, input =>
        {
            // The chunk's size is what the seed's header says (what the array's metadata would say).
            int size = input.Length >= 8 ? (int)Math.Clamp(System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(input.AsSpan(4)), 1, 1 << 17) : 1;
            string zarray = "{\"chunks\": [" + size + "], \"compressor\": {\"id\": \"blosc\", \"cname\": \"lz4\", \"clevel\": 5, \"shuffle\": 1, \"blocksize\": 0}, \"dtype\": \"|u1\", \"fill_value\": 0, \"filters\": null, \"order\": \"C\", \"shape\": [" + size + "], \"zarr_format\": 2}";
            store.Store.Set("b/.zarray", Encoding.UTF8.GetBytes(zarray));
            store.Store.Set("b/0", input);
            var array = store.OpenArray("b");
            AssertPiecesEqualWholeDecode(array, [0], size);
        }, directory ? 1500 : 20000, 8L << 20));
    }

    public static TheoryData<string> ShardLayouts() => ["end-crc32c-zstd", "start-crc32c-bytes", "end-bytes-blosc", "start-bytes-gzip"];

    [Theory]
    [MemberData(nameof(ShardLayouts))]
    public void ShardIndexes_MutatedShards_DecodeOrThrowCorruptChunk(string layout)
    {
        string json = ShardedArrayJson(layout, shape: "64, 64", innerChunks: "8, 8", bloscBlockSize: 0);
        using var source = ZarrStore.InMemory();
        source.Store.Set("s/zarr.json", Encoding.UTF8.GetBytes(json));
        var array = source.OpenArray("s").As<float>();
        var values = Enumerable.Range(0, 64 * 64).Select(i => i % 7 == 0 ? 0f : i * 0.25f).ToArray();
        array.Write(values);
        var seeds = new[] { source.Store.Get("s/c/0/0")!, source.Store.Get("s/c/1/1")! };
        var expected = new[] { array.ReadChunk([0, 0]), array.ReadChunk([1, 1]) };
        int chunkBytes = 32 * 32 * 4;

        // Bound: a stated multiple of the shard's decoded size (index, inner buffers, the stored copy) plus 1 MiB.
        output.WriteLine(Fuzzer.Run($"shard {layout}", seeds, input =>
        {
            using var store = ZarrStore.InMemory(new ZarrStoreOptions { ChunkCacheBytes = 0 });
            store.Store.Set("s/zarr.json", Encoding.UTF8.GetBytes(json));
            store.Store.Set("s/c/0/0", input);
            var a = store.OpenArray("s");
            var decoded = new byte[chunkBytes];
            a.ReadChunkBytes([0, 0], decoded);
            int s = Array.FindIndex(seeds, x => x.AsSpan().SequenceEqual(input));
            if (s >= 0)
            {
                Assert.Equal(expected[s], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(decoded).ToArray());
            }
        }, 10000, (16L * chunkBytes) + (1 << 20)));
    }

    [Theory]
    [MemberData(nameof(ShardLayouts))]
    public void ShardPieces_MutatedShards_MatchTheWholeDecodeOrThrowCorruptChunk(string layout)
    {
        // Shards whose inner chunks are rows decode in pieces (ShardingCodec's own index reading, inner chunks in pieces
        // or whole): the pieces must tile the shard and equal the whole decode, or the read fails with a named error.
        string json = ShardedArrayJson(layout, shape: "64, 32", innerChunks: "8, 32", bloscBlockSize: 256);
        using var source = ZarrStore.InMemory();
        source.Store.Set("s/zarr.json", Encoding.UTF8.GetBytes(json));
        var array = source.OpenArray("s").As<float>();
        array.Write(Enumerable.Range(0, 64 * 32).Select(i => i % 5 == 0 ? 0f : i * 0.5f).ToArray());
        Assert.True(array.Untyped.DecodesInPieces);
        var seeds = new[] { source.Store.Get("s/c/0/0")!, source.Store.Get("s/c/1/0")! };
        int chunkBytes = 32 * 32 * 4;

        output.WriteLine(Fuzzer.Run($"shard pieces {layout}", seeds, input =>
        {
            using var store = ZarrStore.InMemory(new ZarrStoreOptions { ChunkCacheBytes = 0 });
            store.Store.Set("s/zarr.json", Encoding.UTF8.GetBytes(json));
            store.Store.Set("s/c/0/0", input);
            var a = store.OpenArray("s");
            AssertPiecesEqualWholeDecode(a, [0, 0], chunkBytes);
        }, 5000, (16L * chunkBytes) + (1 << 20)));
    }

    // When the chunk opens in pieces, they tile it in order and equal the whole decode (or a decode error is thrown).
    private static void AssertPiecesEqualWholeDecode(ZarrArray array, long[] chunk, int size)
    {
        var pieces = new byte[size];
        using (var reader = array.OpenChunkPieces(chunk))
        {
            if (reader is null)
            {
                return;
            }

            long expectedOffset = 0;
            while (reader.TryRead(out var bytes, out long offset))
            {
                Assert.Equal(expectedOffset, offset);
                bytes.CopyTo(pieces.AsSpan((int)offset));
                expectedOffset += bytes.Length;
            }

            Assert.Equal(size, expectedOffset);
        }

        var whole = new byte[size];
        array.ReadChunkBytes(chunk, whole);
        Assert.Equal(whole, pieces);
    }

    // A float32 array in [32, 32] shards of the given inner chunks: layout is "index location-index codecs-inner codec".
    private static string ShardedArrayJson(string layout, string shape, string innerChunks, int bloscBlockSize)
    {
        var parts = layout.Split('-');
        string inner = parts[2] switch
        {
            "zstd" => ", {\"name\": \"zstd\", \"configuration\": {\"level\": 1, \"checksum\": false}}",
            "blosc" => ", {\"name\": \"blosc\", \"configuration\": {\"cname\": \"lz4\", \"clevel\": 5, \"shuffle\": \"shuffle\", \"typesize\": 4, \"blocksize\": " + bloscBlockSize + "}}",
            "gzip" => ", {\"name\": \"gzip\", \"configuration\": {\"level\": 1}}",
            _ => string.Empty,
        };
        string index = parts[1] == "crc32c"
            ? "[{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}, {\"name\": \"crc32c\"}]"
            : "[{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}]";
        return "{\"zarr_format\": 3, \"node_type\": \"array\", \"shape\": [" + shape + "], \"data_type\": \"float32\", "
            + "\"chunk_grid\": {\"name\": \"regular\", \"configuration\": {\"chunk_shape\": [32, 32]}}, "
            + "\"chunk_key_encoding\": {\"name\": \"default\", \"configuration\": {\"separator\": \"/\"}}, \"fill_value\": 0, "
            + "\"codecs\": [{\"name\": \"sharding_indexed\", \"configuration\": {\"chunk_shape\": [" + innerChunks + "], \"codecs\": [{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}" + inner + "], "
            + "\"index_codecs\": " + index + ", \"index_location\": \"" + parts[0] + "\"}}]}";
    }

    [Fact]
    public void NpyHeaders_MutatedFiles_ReadOrThrowNpyFormatException()
    {
        var seeds = Directory.GetFiles(Path.Combine(FixturePaths.Root, "npy"), "*.npy").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).Where(b => b.Length <= 4096).ToArray();
        output.WriteLine(Fuzzer.Run("npy", seeds, input =>
        {
            // Seekable (a file) and non-seekable (a pipe) readers alike: each must read or refuse on its own (a pipe
            // cannot check the data length against the header up front).
            byte[]? fromFile = null;
            try
            {
                fromFile = Read(new MemoryStream(input, writable: false));
            }
            catch (NpyFormatException)
            {
            }

            var fromPipe = Read(new NonSeekableStream(input));
            if (fromFile is not null)
            {
                Assert.Equal(fromFile, fromPipe);
            }

            static byte[] Read(Stream stream)
            {
                using var reader = new NpyReader(stream, "fuzz.npy");
                var data = reader.ReadAll();
                Assert.Equal(reader.Header.DataLength, data.Length);
                Assert.Equal(reader.Header.ElementCount * reader.Header.ElementSize, data.Length);
                return data;
            }
        }, 20000, 64L << 20, text: true));
    }

    [Fact]
    public void Csv_MutatedFiles_ParseOrThrowInvalidData()
    {
        var seeds = new[]
        {
            "a,b,c\n1,2,3\n4.5,-6,7e3\n\n8,9,10\n",
            "\"x\";\"y\"\n\"1\";\"2\"\n3;4\n",
            "1,inf,-inf\nnan,NaN,+inf\n-0,1e-300,1e300\n",
            "x\n1\n2\n3\n",
            "1,2\r\n3,4\r\n",
        }.Select(Encoding.UTF8.GetBytes).ToArray();
        using var dir = new Interop.TempDirectory();
        int n = 0;

        // The CLI reports a bad CSV as InvalidDataException naming file, line and column (CliContext prints it).
        output.WriteLine(Fuzzer.Run("csv", seeds, input =>
        {
            string path = Path.Combine(dir.Path, $"in{Interlocked.Increment(ref n)}.csv");
            File.WriteAllBytes(path, input);
            char delimiter = input.Contains((byte)';') ? ';' : ',';
            Parse<double>(path, delimiter, "float64");
            Parse<int>(path, delimiter, "int32");
            Parse<Half>(path, delimiter, "float16");
            Parse<byte>(path, delimiter, "uint8");
            File.Delete(path);
        }, 1500, 64L << 20, allowed: ex => ex is InvalidDataException, text: true));

        static void Parse<T>(string path, char delimiter, string type)
            where T : unmanaged, System.Numerics.INumber<T>
        {
            var csv = new CsvNumbers<T>(path, delimiter, type, CsvHeader.Auto, 64L << 20);
            csv.Scan(CliProgress.Silent, CancellationToken.None);
            Assert.True(csv.Rows > 0 && csv.Columns > 0);
            var buffer = new T[csv.Columns * 4];
            long rows = 0;
            foreach (int block in csv.ReadBlocks(buffer, 4, CancellationToken.None))
            {
                rows += block;
            }

            Assert.Equal(csv.Rows, rows);
        }
    }
}
