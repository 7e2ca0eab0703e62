using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using ChunkCompute.Storage.Npy;
using Xunit;

namespace ChunkCompute.Tests.Storage.NpyFormat;

/// <summary>Reads every NumPy-generated fixture and compares with the values NumPy wrote into its sidecar.</summary>
public sealed class NpyFixtureTests
{
    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var json in Directory.EnumerateFiles(NpyTestFiles.FixtureDir, "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(json));
        }

        return data;
    }

    [Fact]
    public void Fixture_set_covers_the_required_cases()
    {
        var names = Fixtures().Select(r => r.Data).ToHashSet();
        Assert.True(names.Count >= 60, $"only {names.Count} fixtures");
        foreach (var dt in new[] { "b1", "i1", "u1", "i2", "i4", "i8", "u2", "u4", "u8", "f2", "f4", "f8" })
        {
            Assert.Contains($"{dt}_le_c2d", names);
            Assert.Contains($"{dt}_le_f2d", names);
            if (dt[1] != '1')
            {
                Assert.Contains($"{dt}_be_c2d", names);
                Assert.Contains($"{dt}_be_f2d", names);
            }
        }

        Assert.Contains("f8_le_v2", names);
        Assert.Contains("f8_le_v3", names);
        Assert.Contains("f8_le_0d", names);
        Assert.Contains("f4_le_empty_0x4", names);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void ReadAll_matches_numpy(string name)
    {
        var expected = Expected.Load(name);
        using var reader = new NpyReader(NpyTestFiles.Fixture(name));
        var h = reader.Header;
        Assert.Equal(expected.Descr, h.Descr);
        Assert.Equal(expected.Shape, h.Shape);
        Assert.Equal(expected.FortranOrder, h.FortranOrder);
        Assert.Equal(expected.Version, new[] { (int)h.Version.Major, h.Version.Minor });
        Assert.Equal(expected.Descr[0] != '>', h.IsLittleEndian);
        Assert.Equal(expected.Shape.Aggregate(1L, (a, b) => a * b), h.ElementCount);
        Assert.Equal(h.DataOffset, new FileInfo(NpyTestFiles.Fixture(name)).Length - h.DataLength);
        Assert.Equal(0, h.DataOffset % 16);
        Assert.Equal(expected.Descr[1..], h.NormalizedDescr[1..]);
        Assert.Equal(h.ElementSize == 1 ? '|' : '<', h.NormalizedDescr[0]);

        var data = reader.ReadAll();
        Assert.Equal(expected.Bytes, data);
        Assert.Equal(expected.Values, Decode(data, h.NormalizedDescr));
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void ReadElements_streams_c_order_files_in_small_blocks(string name)
    {
        var expected = Expected.Load(name);
        using var reader = new NpyReader(NpyTestFiles.Fixture(name));
        var es = reader.Header.ElementSize;
        if (reader.Header.FortranOrder && reader.Header.Rank > 1)
        {
            Assert.Throws<NotSupportedException>(() => reader.ReadElements(new byte[es * 4]));
            return;
        }

        var all = new List<byte>();
        var block = new byte[es * 5];
        long n;
        while ((n = reader.ReadElements(block)) > 0)
        {
            all.AddRange(block.AsSpan(0, (int)n * es).ToArray());
        }

        Assert.Equal(0, reader.ElementsRemaining);
        Assert.Equal(expected.Bytes, all.ToArray());
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Typed_load_matches_numpy(string name)
    {
        var expected = Expected.Load(name);
        var path = NpyTestFiles.Fixture(name);
        var nd = expected.Descr[1..];
        object[] values = nd switch
        {
            "b1" => Npy.Load<bool>(path).Select(v => (object)v).ToArray(),
            "i1" => Npy.Load<sbyte>(path).Select(v => (object)(long)v).ToArray(),
            "u1" => Npy.Load<byte>(path).Select(v => (object)(ulong)v).ToArray(),
            "i2" => Npy.Load<short>(path).Select(v => (object)(long)v).ToArray(),
            "u2" => Npy.Load<ushort>(path).Select(v => (object)(ulong)v).ToArray(),
            "i4" => Npy.Load<int>(path).Select(v => (object)(long)v).ToArray(),
            "u4" => Npy.Load<uint>(path).Select(v => (object)(ulong)v).ToArray(),
            "i8" => Npy.Load<long>(path).Select(v => (object)v).ToArray(),
            "u8" => Npy.Load<ulong>(path).Select(v => (object)v).ToArray(),
            "f2" => Npy.Load<Half>(path).Select(v => (object)(double)v).ToArray(),
            "f4" => Npy.Load<float>(path).Select(v => (object)(double)v).ToArray(),
            "f8" => Npy.Load<double>(path).Select(v => (object)v).ToArray(),
            _ => throw new InvalidOperationException(nd),
        };
        Assert.Equal(expected.Values, values);
    }

    [Fact]
    public void Load_returns_header_and_data()
    {
        var (header, data) = Npy.Load(NpyTestFiles.Fixture("i4_be_v2_f"));
        Assert.Equal(">i4", header.Descr);
        Assert.Equal("<i4", header.NormalizedDescr);
        Assert.True(header.FortranOrder);
        Assert.Equal((2, 0), ((int)header.Version.Major, (int)header.Version.Minor));
        Assert.Equal(Expected.Load("i4_be_v2_f").Bytes, data);
    }

    [Fact]
    public void Zero_d_array_has_one_element()
    {
        var values = Npy.Load<double>(NpyTestFiles.Fixture("f8_le_0d"), out var shape);
        Assert.Empty(shape);
        Assert.Equal([2.5], values);
        Assert.Equal([-123456], Npy.Load<int>(NpyTestFiles.Fixture("i4_be_0d")));
    }

    /// <summary>Decodes little-endian C-order bytes into comparable values (long, ulong, double, bool).</summary>
    internal static object[] Decode(byte[] data, string normalizedDescr)
    {
        var kind = normalizedDescr[1];
        var size = normalizedDescr[2] - '0';
        var result = new object[data.Length / size];
        for (var i = 0; i < result.Length; i++)
        {
            var s = data.AsSpan(i * size, size);
            result[i] = (kind, size) switch
            {
                ('b', 1) => s[0] != 0,
                ('i', 1) => (long)(sbyte)s[0],
                ('u', 1) => (ulong)s[0],
                ('i', 2) => (long)BinaryPrimitives.ReadInt16LittleEndian(s),
                ('u', 2) => (ulong)BinaryPrimitives.ReadUInt16LittleEndian(s),
                ('i', 4) => (long)BinaryPrimitives.ReadInt32LittleEndian(s),
                ('u', 4) => (ulong)BinaryPrimitives.ReadUInt32LittleEndian(s),
                ('i', 8) => BinaryPrimitives.ReadInt64LittleEndian(s),
                ('u', 8) => BinaryPrimitives.ReadUInt64LittleEndian(s),
                ('f', 2) => (double)BinaryPrimitives.ReadHalfLittleEndian(s),
                ('f', 4) => (double)BinaryPrimitives.ReadSingleLittleEndian(s),
                ('f', 8) => BinaryPrimitives.ReadDoubleLittleEndian(s),
                _ => throw new InvalidOperationException(normalizedDescr),
            };
        }

        return result;
    }

    /// <summary>A fixture's sidecar, as NumPy wrote it.</summary>
    internal sealed record Expected(string Descr, long[] Shape, bool FortranOrder, int[] Version, object[] Values, byte[] Bytes)
    {
        public static Expected Load(string name)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(NpyTestFiles.FixtureDir, name + ".json")));
            var root = doc.RootElement;
            var descr = root.GetProperty("descr").GetString()!;
            var kind = descr[1];
            var values = root.GetProperty("values").EnumerateArray().Select(v => ParseValue(v, kind)).ToArray();
            return new Expected(
                descr,
                root.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray(),
                root.GetProperty("fortran_order").GetBoolean(),
                root.GetProperty("version").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
                values,
                Convert.FromHexString(root.GetProperty("le_c_hex").GetString()!));
        }

        private static object ParseValue(JsonElement v, char kind) => kind switch
        {
            'b' => v.GetBoolean(),
            'i' => v.GetInt64(),
            'u' => v.GetUInt64(),
            'f' => v.GetString() switch
            {
                "nan" => double.NaN,
                "inf" => double.PositiveInfinity,
                "-inf" => double.NegativeInfinity,
                var s => double.Parse(s!, CultureInfo.InvariantCulture),
            },
            _ => throw new InvalidOperationException($"kind {kind}"),
        };
    }
}
