using System.Text;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Npy;
using Xunit;

namespace ChunkCompute.Tests.Storage.NpyFormat;

/// <summary>Malformed, truncated and unsupported files, and writer misuse.</summary>
public sealed class NpyErrorTests : IDisposable
{
    private readonly string _dir = NpyTestFiles.NewTempDir();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteFile(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] Good => File.ReadAllBytes(NpyTestFiles.Fixture("f8_le_c2d"));

    private static byte[] WithHeader(string dict, byte major = 1)
    {
        var text = dict + "\n";
        var pre = major == 1 ? 10 : 12;
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', major, 0 };
        bytes.AddRange(major == 1 ? BitConverter.GetBytes((ushort)text.Length) : BitConverter.GetBytes((uint)text.Length));
        bytes.AddRange(Encoding.Latin1.GetBytes(text));
        Assert.Equal(pre + text.Length, bytes.Count);
        bytes.AddRange(new byte[256]);
        return [.. bytes];
    }

    private NpyFormatException AssertBad(string name, byte[] bytes, string fragment)
    {
        var path = WriteFile(name, bytes);
        var e = Assert.Throws<NpyFormatException>(() => Npy.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Equal(path, e.File);
        Assert.Contains(fragment, e.Message);
        return e;
    }

    [Fact]
    public void Wrong_magic()
    {
        var bytes = Good;
        bytes[1] = (byte)'X';
        AssertBad("magic.npy", bytes, "bad magic");
        AssertBad("text.npy", Encoding.ASCII.GetBytes("hello, world, this is not npy"), "bad magic");
    }

    [Fact]
    public void Unsupported_version()
    {
        var bytes = Good;
        bytes[6] = 4;
        AssertBad("v4.npy", bytes, "unsupported format version 4.0");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(40)]
    [InlineData(127)]
    public void Truncated_header(int length)
    {
        var e = AssertBad($"cut{length}.npy", Good[..length], "truncated header");
        Assert.DoesNotContain("bad magic", e.Message);
    }

    [Fact]
    public void Truncated_data()
    {
        var bytes = Good;
        var e = AssertBad("short.npy", bytes[..^9], "truncated data");
        Assert.Contains("96 bytes", e.Message);
        Assert.Contains("87", e.Message);
    }

    [Fact]
    public void Truncated_data_on_a_non_seekable_stream_is_detected_while_reading()
    {
        var bytes = Good[..^9];
        using var reader = new NpyReader(new NonSeekableStream(bytes), "pipe:f8");
        var e = Assert.Throws<NpyFormatException>(() => reader.ReadAll());
        Assert.Contains("pipe:f8", e.Message);
        Assert.Contains("truncated data", e.Message);
    }

    [Theory]
    [InlineData("<c32")]
    [InlineData("|O")]
    [InlineData("<U0")]
    [InlineData("<f16")]
    [InlineData("<M8")]
    [InlineData("|b2")]
    [InlineData("|V8")]
    public void Unsupported_descr(string descr)
    {
        var e = AssertBad("dtype.npy", WithHeader($"{{'descr': '{descr}', 'fortran_order': False, 'shape': (2,), }}"), $"unsupported dtype '{descr}'");
        Assert.DoesNotContain("malformed", e.Message);
    }

    [Fact]
    public void Structured_descr_is_unsupported()
    {
        AssertBad("struct.npy", WithHeader("{'descr': [('a', '<i4'), ('b', '<f8')], 'fortran_order': False, 'shape': (2,), }"), "unsupported dtype '[('a', '<i4'), ('b', '<f8')]'");
    }

    [Theory]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), ")]
    [InlineData("{'descr': '<f8', 'fortran_order': False}")]
    [InlineData("{'descr': '<f8', 'fortran_order': false, 'shape': (2,), }")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2), }")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (-2,), }")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 'x'), }")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'extra': True, }")]
    [InlineData("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2,), }")]
    [InlineData("{'descr': 8, 'fortran_order': False, 'shape': (2,), }")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': [2], }")]
    [InlineData("['descr', '<f8']")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), } junk")]
    [InlineData("{'descr': '<f8, 'fortran_order': False, 'shape': (2,), }")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999, 99999999999), }")]
    public void Malformed_header_dict(string dict)
    {
        AssertBad("dict.npy", WithHeader(dict), "malformed header dict");
    }

    [Fact]
    public void Header_accepts_double_quotes_and_no_trailing_comma()
    {
        var path = WriteFile("dq.npy", WithHeader("{\"descr\": \"<f8\", \"shape\": (2, 4), \"fortran_order\": False}", major: 2));
        using var reader = new NpyReader(path);
        Assert.Equal([2L, 4L], reader.Header.Shape);
        Assert.Equal((2, 0), ((int)reader.Header.Version.Major, (int)reader.Header.Version.Minor));
    }

    [Fact]
    public void Invalid_utf8_in_a_version_3_header()
    {
        var bytes = WithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", major: 3);
        bytes[14] = 0xFF;
        AssertBad("utf8.npy", bytes, "UTF-8");
    }

    [Fact]
    public void Typed_load_with_the_wrong_type_says_expected_and_found()
    {
        var path = NpyTestFiles.Fixture("f4_be_c2d");
        var e = Assert.Throws<NpyFormatException>(() => Npy.Load<double>(path));
        Assert.Contains("expected '<f8'", e.Message);
        Assert.Contains("found '>f4'", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Writer_rejects_unsupported_descr_and_bad_shape()
    {
        var path = Path.Combine(_dir, "w.npy");
        Assert.Contains("'<c32'", Assert.Throws<ArgumentException>(() => new NpyWriter(path, "<c32", [2])).Message);
        Assert.Contains(path, Assert.Throws<ArgumentException>(() => new NpyWriter(path, ">f8", [2])).Message);
        Assert.Throws<ArgumentException>(() => new NpyWriter(path, "<f8", [2, -1]));
        Assert.Throws<ArgumentException>(() => Npy.Save<decimal>(path, new decimal[2], [2]));
    }

    [Fact]
    public void Writer_too_many_elements_is_an_argument_error_naming_the_file()
    {
        var path = Path.Combine(_dir, "many.npy");
        using var w = new NpyWriter(path, "<i4", [2, 2]);
        w.WriteElements(new byte[12]);
        var e = Assert.Throws<ArgumentException>(() => w.WriteElements(new byte[8]));
        Assert.Contains(path, e.Message);
        Assert.Throws<ArgumentException>(() => w.WriteElements(new byte[3]));
        w.WriteElements(new byte[4]);
    }

    [Fact]
    public void Writer_too_few_elements_throws_on_dispose_naming_the_file()
    {
        var path = Path.Combine(_dir, "few.npy");
        var w = new NpyWriter(path, "<i4", [2, 2]);
        w.WriteElements(new byte[12]);
        var e = Assert.Throws<NpyFormatException>(w.Dispose);
        Assert.Contains(path, e.Message);
        Assert.Contains("3 of 4 elements", e.Message);
        w.Dispose(); // idempotent
        Assert.Contains("truncated data", Assert.Throws<NpyFormatException>(() => Npy.Load(path)).Message);
    }

    [Fact]
    public void Save_with_a_length_that_does_not_match_the_shape()
    {
        var path = Path.Combine(_dir, "mismatch.npy");
        var e = Assert.Throws<ArgumentException>(() => Npy.Save(path, "<f8", [3, 4], new byte[8 * 11]));
        Assert.Contains(path, e.Message);
        Assert.False(File.Exists(path));
        Assert.Throws<ArgumentException>(() => Npy.Save<int>(path, new int[5], [2, 3]));
    }

    [Fact]
    public void Fortran_writer_requires_WriteAll()
    {
        var path = Path.Combine(_dir, "f.npy");
        using var w = new NpyWriter(path, "<i2", [2, 3], fortranOrder: true);
        Assert.Throws<InvalidOperationException>(() => w.WriteElements(new byte[2]));
        Assert.Throws<ArgumentException>(() => w.WriteAll(new byte[10]));
        w.WriteAll(new byte[12]);
        Assert.Throws<InvalidOperationException>(() => w.WriteAll(new byte[12]));
    }

    [Fact]
    public void Reader_misuse()
    {
        using var reader = new NpyReader(NpyTestFiles.Fixture("f8_le_c2d"));
        Assert.Throws<ArgumentException>(() => reader.ReadElements(new byte[7]));
        Assert.Throws<ArgumentException>(() => reader.ReadAll(new byte[8]));
        Assert.Equal(2, reader.ReadElements(new byte[16]));
        Assert.Throws<InvalidOperationException>(() => reader.ReadAll());
    }
}
