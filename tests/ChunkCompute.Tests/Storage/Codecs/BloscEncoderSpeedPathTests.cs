using System.Diagnostics;
using ChunkCompute.Storage.Codecs;
using Xunit;

namespace ChunkCompute.Tests.Storage.Codecs;

/// <summary>
/// The encoder's fast paths: the vectorized block shuffle lays bytes out exactly as the scalar one, and LZ4 runs with
/// c-blosc's acceleration, so frames equal python-blosc's byte for byte when both use the same liblz4.
/// </summary>
public sealed class BloscEncoderSpeedPathTests
{
    private const string Python = "/usr/bin/python3";

    [Fact]
    public void BlockShuffle_EqualsScalarShuffle_ForEveryTypeSizeAndLength()
    {
        var rng = new Random(5);
        foreach (int ts in new[] { 1, 2, 3, 4, 5, 8, 12, 16 })
        {
            foreach (int size in new[] { 0, 1, 15, 16, 31, 32, 63, 64, 127, 128, 129, 255, 256, 1000, 4096 + 7, 65536, 65536 + 24 })
            {
                var src = new byte[size];
                rng.NextBytes(src);
                var expected = new byte[size];
                var actual = new byte[size + 5]; // a longer destination is allowed; the excess stays untouched
                ByteShuffle.Shuffle(src, expected, ts);
                BlockShuffle.Shuffle(src, actual, ts);
                Assert.True(expected.AsSpan().SequenceEqual(actual.AsSpan(0, size)), $"typesize {ts}, {size} bytes");
                Assert.All(actual[size..], b => Assert.Equal(0, b));
                var back = new byte[size];
                ByteShuffle.Unshuffle(actual.AsSpan(0, size), back, ts);
                Assert.Equal(src, back);
            }
        }
    }

    [Fact]
    public void EncodePooled_EqualsEncode_InSequenceInParallelAndUncompressed()
    {
        foreach (var compressor in new[] { BloscCompressor.Lz4, BloscCompressor.Zstd, BloscCompressor.Zlib })
        {
            foreach (int level in new[] { 0, 5 })
            {
                foreach (int size in new[] { 0, 100, 70_000, (3 << 20) + 999 })
                {
                    foreach (var data in new[] { CodecTestData.Data(size, size + level), RandomBytes(size) })
                    {
                        var codec = new BloscCodec(compressor, level, BloscShuffle.Shuffle, 4);
                        byte[] expected = codec.Encode(data);
                        using var pooled = codec.EncodePooled(data);
                        Assert.True(expected.AsSpan().SequenceEqual(pooled.Memory.Span), $"{compressor} clevel {level}, {size} bytes");
                        Assert.Equal(data, codec.Decode(pooled.Memory.Span));
                    }
                }
            }
        }

        // Through the pipeline of a v2 array (Blosc over the chunk's bytes) and of one with another codec.
        var blosc = CodecPipeline.FromV2(ChunkCompute.Storage.Compression.Default.ToV2Json(4), null, 'C', ChunkCompute.Storage.DataType.Float32, bigEndian: false, rank: 1);
        var chunk = CodecTestData.Data(4096, 3);
        using (var frame = blosc.EncodePooled(chunk, [1024]))
        {
            Assert.Equal(blosc.Encode(chunk, [1024]), frame.Memory.ToArray());
        }
    }

    private static byte[] RandomBytes(int size)
    {
        var b = new byte[size];
        new Random(size).NextBytes(b);
        return b;
    }

    [Theory]
    [InlineData(1, 9)]
    [InlineData(5, 5)]
    [InlineData(9, 1)]
    public void Lz4Acceleration_IsCBloscs(int clevel, int acceleration) =>
        Assert.Equal(acceleration, BloscEncoder.Lz4Acceleration(clevel));

    [Fact]
    public void Encode_Lz4Shuffle_EqualsCBloscFrame_WhenBothUseTheSameLiblz4()
    {
        Assert.SkipUnless(File.Exists(Python) && Run("import blosc").Exit == 0, "python3 with the blosc module (c-blosc) is not installed");
        using var native = CodecBackendScope.Use(CodecBackend.Native); // byte-exact only with the same liblz4
        using var tmp = new ChunkCompute.Tests.Interop.TempDirectory("cc-blosc-same");
        var cases = new List<(string Name, int TypeSize, int Level)>();
        foreach (int ts in new[] { 2, 4, 8 })
        {
            foreach (int level in new[] { 1, 5, 9 })
            {
                // 3 MiB of partly compressible data: several blocks (and the parallel encoder), one leftover block
                var data = CodecTestData.Data((3 << 20) + 999, ts + level);
                string name = $"t{ts}-l{level}";
                File.WriteAllBytes(tmp.Combine(name + ".raw"), data);
                File.WriteAllBytes(tmp.Combine(name + ".blosc"), new BloscCodec(BloscCompressor.Lz4, level, BloscShuffle.Shuffle, ts).Encode(data));
                cases.Add((name, ts, level));
            }
        }

        const string Script = """
            import blosc, os, sys
            blosc.set_nthreads(1)  # several threads lay blocks out in completion order
            same_lib = any("liblz4" in line for line in open("/proc/self/maps"))
            folder = sys.argv[1]
            for spec in sys.argv[2:]:
                name, ts, level = spec.split(":")
                raw = open(os.path.join(folder, name + ".raw"), "rb").read()
                ours = open(os.path.join(folder, name + ".blosc"), "rb").read()
                theirs = blosc.compress(raw, typesize=int(ts), cname="lz4", shuffle=blosc.SHUFFLE, clevel=int(level))
                assert blosc.decompress(ours) == raw, name
                print(name, "same" if ours == theirs else "DIFFERENT", len(ours), len(theirs), "shared-liblz4" if same_lib else "bundled-lz4")
            """;
        var (exit, output) = Run(Script, [tmp.Path, .. cases.Select(c => $"{c.Name}:{c.TypeSize}:{c.Level}")]);
        Assert.True(exit == 0, output);
        foreach (var (name, _, _) in cases)
        {
            string line = output.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
            if (line.EndsWith("shared-liblz4", StringComparison.Ordinal))
            {
                Assert.Contains(" same ", line, StringComparison.Ordinal);
            }
        }
    }

    private static (int Exit, string Output) Run(string script, params string[] args)
    {
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        try
        {
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(120_000))
            {
                p.Kill();
                return (-1, "timeout");
            }

            return (p.ExitCode, stdout.Result + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
