using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Cli;

/// <summary>
/// `.npy` import and export of the dtypes beyond numbers (issue 14): fixed-length strings, complex and datetimes, in
/// both byte orders, checked against NumPy's own files and zarr-python's reading of the store.
/// </summary>
public sealed class CliDtypeNpyTests
{
    [Theory]
    [InlineData("v2")]
    [InlineData("v3")]
    public void ImportExport_StringsComplexDatetimes_MatchNumPyBothWays(string format)
    {
        PythonZarr.RequireOrSkip();
        using var tmp = new TempDirectory("cc-cli-dtype");
        string[] names = ["u", "ub", "s", "c", "m"];
        PythonZarr.Run(
            "import sys, numpy as np\n" +
            "d = sys.argv[1]\n" +
            "np.save(d + '/u.npy', np.array([['héllo', '\\U0001D11Ex'], ['', 'abc'], ['z', '1234567']], dtype='<U7'))\n" +
            "np.save(d + '/ub.npy', np.array(['big', 'end\\U0001D11E'], dtype='>U4'))\n" +
            "np.save(d + '/s.npy', np.array([b'ab', b'\\x00c', b'xyz\\xff'], dtype='|S4'))\n" +
            "np.save(d + '/c.npy', np.array([1 + 2j, -3.5j, complex('nan+1j')], dtype='>c16'))\n" +
            "np.save(d + '/m.npy', np.array(['2020-01-01T00:00:01', 'NaT', '1969-12-31'], dtype='>M8[ns]'))\n",
            tmp.Path);
        string store = tmp.Combine("s.zarr");
        foreach (var n in names)
        {
            CliHarness.Expect(0, "import", tmp.Combine(n + ".npy"), store, "--array", n, "--format", format);
            CliHarness.Expect(0, "export", store, tmp.Combine(n + ".out.npy"), "--array", n);
        }

        string output = PythonZarr.Run(
            "import sys, numpy as np\n" +
            "d = sys.argv[1]\n" +
            "def same(a, b):\n" +
            "    if a.dtype.kind in 'Mm': return a.shape == b.shape and (a.astype('i8') == b.astype('i8')).all()\n" +
            "    return a.shape == b.shape and a.dtype.newbyteorder('<') == b.dtype.newbyteorder('<') and ((a == b) | ((a != a) & (b != b))).all()\n" +
            "for n in sys.argv[2:]:\n" +
            "    a = np.load(d + '/' + n + '.npy'); b = np.load(d + '/' + n + '.out.npy')\n" +
            "    print(n, 'same' if same(a, b) else 'differ %r %r' % (a, b))\n" +
            (format == "v2"
                ? "import zarr\nz = zarr.open(d + '/s.zarr', mode='r')\nfor n in sys.argv[2:]:\n    print(n, 'zarr-same' if same(np.load(d + '/' + n + '.npy'), z[n][...]) else 'zarr-differ')\n"
                : string.Empty),
            [tmp.Path, .. names]);
        foreach (var n in names)
        {
            Assert.Contains($"{n} same", output, StringComparison.Ordinal);
            if (format == "v2")
            {
                Assert.Contains($"{n} zarr-same", output, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void ObjectNpy_IsRefusedNamingTheDtype()
    {
        PythonZarr.RequireOrSkip();
        using var tmp = new TempDirectory("cc-cli-dtype");
        PythonZarr.Run("import sys, numpy as np\nnp.save(sys.argv[1], np.array(['a', None], dtype=object), allow_pickle=True)\n", tmp.Combine("o.npy"));
        var result = CliHarness.ExpectError("|O", "import", tmp.Combine("o.npy"), tmp.Combine("s.zarr"), "--array", "o");
        Assert.False(Directory.Exists(Path.Combine(tmp.Combine("s.zarr"), "o")));
        Assert.Contains("unsupported dtype", result.Stderr, StringComparison.Ordinal);
    }
}
