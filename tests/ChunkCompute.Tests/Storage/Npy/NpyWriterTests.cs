using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Npy;
using Xunit;

namespace ChunkCompute.Tests.Storage.NpyFormat;

/// <summary>Our writer: round trips through our reader, and files checked by NumPy itself.</summary>
public sealed class NpyWriterTests : IDisposable
{
    private static readonly string[] Descrs = ["|b1", "|i1", "|u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", "<f2", "<f4", "<f8"];

    private readonly string _dir = NpyTestFiles.NewTempDir();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string, bool, bool> Cases()
    {
        var data = new TheoryData<string, bool, bool>();
        foreach (var d in Descrs)
        {
            foreach (var f in new[] { false, true })
            {
                foreach (var be in new[] { false, true })
                {
                    data.Add(d, f, be);
                }
            }
        }

        return data;
    }

    /// <summary>Deterministic little-endian C-order data whose values are exact in every dtype.</summary>
    private static byte[] Sample(string descr, long count)
    {
        var size = descr[2] - '0';
        var bytes = new byte[count * size];
        for (var i = 0; i < count; i++)
        {
            var s = bytes.AsSpan(i * size, size);
            var v = i * 3 - 7;
            switch (descr[1], size)
            {
                case ('b', _): s[0] = (byte)(i % 3 == 0 ? 1 : 0); break;
                case ('f', 2): BitConverter.TryWriteBytes(s, (Half)(v * 0.25)); break;
                case ('f', 4): BitConverter.TryWriteBytes(s, (float)(v * 0.25)); break;
                case ('f', 8): BitConverter.TryWriteBytes(s, v * 0.25); break;
                default:
                    var x = descr[1] == 'u' ? (ulong)(i * 37 + 200) : (ulong)(long)(v * 37);
                    BitConverter.GetBytes(x).AsSpan(0, size).CopyTo(s);
                    break;
            }
        }

        return bytes;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Round_trip(string descr, bool fortran, bool bigEndian)
    {
        foreach (var shape in new long[][] { [3, 4], [2, 3, 4], [5], [], [0, 4] })
        {
            var path = Path.Combine(_dir, "rt.npy");
            var count = shape.Aggregate(1L, (a, b) => a * b);
            var data = Sample(descr, count);
            using (var w = new NpyWriter(path, descr, shape, fortran, bigEndian))
            {
                w.WriteAll(data);
            }

            var bytes = File.ReadAllBytes(path);
            using var r = new NpyReader(path);
            Assert.Equal(0, r.Header.DataOffset % 64);
            Assert.Equal((1, 0), ((int)r.Header.Version.Major, (int)r.Header.Version.Minor));
            Assert.Equal(descr, r.Header.NormalizedDescr);
            Assert.Equal(bigEndian && descr[0] == '<' ? '>' : descr[0], r.Header.Descr[0]);
            Assert.Equal(fortran, r.Header.FortranOrder);
            Assert.Equal(shape, r.Header.Shape);
            Assert.Equal(bytes.Length, r.Header.DataOffset + data.Length);
            Assert.Equal((byte)'\n', bytes[r.Header.DataOffset - 1]);
            Assert.Equal(data, r.ReadAll());
        }
    }

    [Fact]
    public void Streaming_write_in_blocks_matches_one_shot()
    {
        var path = Path.Combine(_dir, "blocks.npy");
        var data = Sample("<i8", 1000);
        using (var w = new NpyWriter(path, "<i8", [100, 10], bigEndian: true))
        {
            for (var off = 0; off < data.Length; off += 8 * 70)
            {
                w.WriteElements(data.AsSpan(off, Math.Min(8 * 70, data.Length - off)));
            }

            Assert.Equal(1000, w.ElementsWritten);
        }

        Assert.Equal(data, Npy.Load(path).Data);
    }

    [Fact]
    public void Files_from_one_MiB_are_allocated_up_front_yet_hold_exactly_what_was_written()
    {
        // From 1 MiB the file's blocks are allocated before the writes (fallocate, keeping the size): the length must
        // still be the header plus the bytes written, for a complete file, an abandoned one, and a larger file replaced.
        var path = Path.Combine(_dir, "big.npy");
        var data = Sample("<f8", 300_000); // 2.4 MB
        File.WriteAllBytes(path, new byte[5_000_000]);
        Npy.Save<double>(path, MemoryMarshal.Cast<byte, double>(data).ToArray(), [300_000]);
        int header = HeaderLength(path);
        Assert.Equal(0, header % 64); // the format's data alignment
        Assert.Equal(header + data.Length, new FileInfo(path).Length);
        Assert.Equal(data, Npy.Load(path).Data);

        var abandoned = Path.Combine(_dir, "abandoned.npy");
        var w = new NpyWriter(abandoned, "<f8", [300_000]);
        w.WriteElements(data.AsSpan(0, 8 * 1000));
        var error = Assert.Throws<NpyFormatException>(w.Dispose);
        Assert.Contains("1000 of 300000", error.Message);
        Assert.Equal(header + (8 * 1000), new FileInfo(abandoned).Length);
    }

    // The header's length as the format defines it: magic (6), version (2), then a 2-byte (v1) or 4-byte (v2)
    // little-endian length of the header text.
    private static int HeaderLength(string path)
    {
        var head = new byte[12];
        using (var f = File.OpenRead(path))
        {
            f.ReadExactly(head);
        }

        return head[6] == 1 ? 10 + BitConverter.ToUInt16(head, 8) : 12 + BitConverter.ToInt32(head, 8);
    }

    [Fact]
    public void Generic_save_and_load()
    {
        var path = Path.Combine(_dir, "g.npy");
        Npy.Save<float>(path, [1f, -2.5f, 3f, 4f, 5f, 6f], [2, 3]);
        Assert.Equal([1f, -2.5f, 3f, 4f, 5f, 6f], Npy.Load<float>(path, out var shape));
        Assert.Equal([2L, 3L], shape);
        Npy.Save<bool>(path, [true, false, true], [3]);
        Assert.Equal([true, false, true], Npy.Load<bool>(path));
        Npy.Save<Half>(path, [(Half)1.5], []);
        Assert.Equal("<f2", Npy.Load(path).Header.Descr);
    }

    [Fact]
    public void Huge_header_uses_version_2()
    {
        var path = Path.Combine(_dir, "v2.npy");
        var shape = Enumerable.Repeat(1L, 25_000).ToArray();
        Npy.Save(path, "|u1", shape, [42]);
        using var r = new NpyReader(path);
        Assert.Equal((2, 0), ((int)r.Header.Version.Major, (int)r.Header.Version.Minor));
        Assert.Equal(0, r.Header.DataOffset % 64);
        Assert.Equal(25_000, r.Header.Rank);
        Assert.Equal([42], r.ReadAll());
    }

    [Fact]
    public void Stream_writer_and_reader_at_an_offset_leave_the_stream_open()
    {
        using var ms = new MemoryStream();
        ms.Write("prefix"u8);
        using (var w = new NpyWriter(ms, "<u2", [2], name: "mem", leaveOpen: true))
        {
            w.WriteElements([1, 0, 2, 0]);
        }

        ms.Position = 6;
        using (var r = new NpyReader(ms, "mem", leaveOpen: true))
        {
            Assert.Equal([1, 0, 2, 0], r.ReadAll());
        }

        Assert.True(ms.CanRead);
    }

    [Fact]
    public void NumPy_reads_our_files()
    {
        Assert.SkipUnless(PythonWithNumPy(), "/usr/bin/python3 with numpy is not available");
        var manifest = new List<object>();
        var i = 0;
        foreach (var row in Cases())
        {
            var (descr, fortran, bigEndian) = row.Data;
            foreach (var shape in new long[][] { [3, 4], [2, 3, 2], [], [0, 3] })
            {
                var count = shape.Aggregate(1L, (a, b) => a * b);
                var data = Sample(descr, count);
                var path = Path.Combine(_dir, $"n{i++}.npy");
                using (var w = new NpyWriter(path, descr, shape, fortran, bigEndian))
                {
                    w.WriteAll(data);
                }

                var values = NpyFixtureTests.Decode(data, descr).Select(v => v is double d ? (object)d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : v).ToArray();
                var expectedDescr = descr[2] == '1' ? "|" + descr[1..] : (bigEndian ? ">" : "<") + descr[1..];
                manifest.Add(new { path, descr = expectedDescr, fortran, shape, values });
            }
        }

        var manifestPath = Path.Combine(_dir, "manifest.json");
        File.WriteAllText(manifestPath, JsonSerializer.Serialize(manifest));
        const string script = """
            import json, sys
            import numpy as np
            bad = []
            for m in json.load(open(sys.argv[1])):
                a = np.load(m["path"], allow_pickle=False)
                kind = a.dtype.kind
                exp = [float(v) if kind == "f" else v for v in m["values"]]
                got = a.reshape(-1, order="C").tolist()
                ok = (a.dtype.str == m["descr"] and list(a.shape) == m["shape"] and got == exp
                      and (a.ndim < 2 or a.size == 0 or bool(a.flags.f_contiguous and not a.flags.c_contiguous) == m["fortran"]))
                if not ok:
                    bad.append((m["path"], a.dtype.str, m["descr"], a.shape, got[:5], exp[:5]))
            print("checked", len(json.load(open(sys.argv[1]))), "bad", len(bad))
            for b in bad[:10]:
                print(b)
            sys.exit(1 if bad else 0)
            """;
        var (code, output) = Run("/usr/bin/python3", "-c", script, manifestPath);
        Assert.True(code == 0, output);
        Assert.Contains("bad 0", output);
    }

    private static bool PythonWithNumPy()
    {
        try
        {
            return File.Exists("/usr/bin/python3") && Run("/usr/bin/python3", "-c", "import numpy").Code == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static (int Code, string Output) Run(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var sb = new StringBuilder(stdout).Append(stderr.Result);
        return (p.ExitCode, sb.ToString());
    }
}
