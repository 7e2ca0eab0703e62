using System.Diagnostics;
using ChunkCompute.Storage.Codecs;
using Xunit;

namespace ChunkCompute.Tests.Storage.Codecs;

public sealed class BloscCompatibilityTests
{
    private const string Python = "/usr/bin/python3";

    public static TheoryData<string, string, CodecBackend> Vectors
    {
        get
        {
            var data = new TheoryData<string, string, CodecBackend>();
            foreach (var line in File.ReadAllLines(CodecTestData.Fixture("blosc", "index.txt")).Where(l => l.Length > 0))
            {
                var parts = line.Split(' ');
                foreach (var backend in CodecBackendScope.Both)
                {
                    data.Add(parts[0], parts[1], backend);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Decode_CBloscVector_EqualsInput(string frame, string raw, CodecBackend backend)
    {
        using var scope = CodecBackendScope.Use(backend);
        var encoded = File.ReadAllBytes(CodecTestData.Fixture("blosc", frame + ".blosc"));
        var expected = File.ReadAllBytes(CodecTestData.Fixture("blosc", raw));
        var codec = BloscCodec.Lz4Shuffle(1);
        Assert.Equal(expected.Length, codec.GetDecodedLength(encoded));
        var exact = new byte[expected.Length];
        codec.Decode(encoded, exact);
        Assert.Equal(expected, exact);
        Assert.Equal(expected, codec.Decode(encoded));
    }

    [Theory]
    [InlineData(CodecBackend.Managed)]
    [InlineData(CodecBackend.Native)]
    public void Encode_AnySetting_IsDecodedByCBlosc(CodecBackend backend)
    {
        using var scope = CodecBackendScope.Use(backend);
        Assert.SkipUnless(PythonBloscAvailable(), "python3 with the blosc module (c-blosc) is not installed");
        var dir = Directory.CreateTempSubdirectory("cc-blosc-");
        try
        {
            var count = 0;
            foreach (var typeSize in new[] { 1, 2, 3, 4, 8, 12, 16 })
            {
                foreach (var size in new[] { 0, 1, 7, 127, 128, 1000, 65537, 300_001 })
                {
                    var data = CodecTestData.Data(size, size ^ typeSize);
                    foreach (var compressor in new[] { BloscCompressor.Lz4, BloscCompressor.Lz4Hc, BloscCompressor.Zstd, BloscCompressor.Zlib })
                    {
                        foreach (var shuffle in new[] { BloscShuffle.NoShuffle, BloscShuffle.Shuffle, BloscShuffle.BitShuffle })
                        {
                            foreach (var level in new[] { 0, 5 })
                            {
                                var name = $"{count++}";
                                File.WriteAllBytes(Path.Combine(dir.FullName, name + ".raw"), data);
                                File.WriteAllBytes(Path.Combine(dir.FullName, name + ".blosc"), new BloscCodec(compressor, level, shuffle, typeSize).Encode(data));
                            }
                        }
                    }
                }
            }

            const string Script = """
                import blosc, glob, os, sys
                bad = 0
                for f in glob.glob(os.path.join(sys.argv[1], "*.blosc")):
                    enc = open(f, "rb").read()
                    raw = open(f[:-6] + ".raw", "rb").read()
                    try:
                        ok = blosc.decompress(enc) == raw
                    except Exception as e:
                        ok = False
                    if not ok:
                        bad += 1
                        print("MISMATCH", f)
                print("checked", len(glob.glob(os.path.join(sys.argv[1], "*.blosc"))), "bad", bad)
                sys.exit(1 if bad else 0)
                """;
            var (exit, output) = Run(Python, ["-c", Script, dir.FullName]);
            Assert.True(exit == 0, output);
            Assert.Contains($"checked {count} bad 0", output, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static bool PythonBloscAvailable()
    {
        if (!File.Exists(Python))
        {
            return false;
        }

        try
        {
            return Run(Python, ["-c", "import blosc"]).Exit == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static (int Exit, string Output) Run(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

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
}
