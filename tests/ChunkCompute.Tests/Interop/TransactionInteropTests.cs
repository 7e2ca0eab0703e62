using ChunkCompute.Storage;
using Xunit;

namespace ChunkCompute.Tests.Interop;

/// <summary>After commits (appends, overwrites, resizes, a deleted array), zarr-python reads exactly what we read.</summary>
public sealed class TransactionInteropTests
{
    private const string ReadSum = """
        import sys, zarr, numpy as np
        g = zarr.open_group(sys.argv[1], mode='r')
        print(sorted(g.array_keys()))
        for name in sorted(g.array_keys()):
            a = g[name][...]
            print(name, a.shape, a.dtype, repr(float(a.astype('float64').sum())))
        """;

    [Fact]
    public void ZarrPython_ReadsEveryArray_AfterCommits()
    {
        PythonZarr.RequireOrSkip();
        using var tmp = new TempDirectory("cc-tx-interop");
        string root = tmp.Combine("s.zarr");
        using (var store = ZarrStore.Open(root, new ZarrStoreOptions { DefaultFormat = ZarrFormat.V2 }))
        {
            var x = store.CreateArray<double>("x", [0, 3], [4, 3]);
            for (int i = 0; i < 5; i++)
            {
                x.Append(Enumerable.Range(i * 9, 9).Select(v => (double)v).ToArray());
            }

            store.Transact(tx =>
            {
                var w = tx.OpenArray<double>("x");
                w.Write(new ArraySubset([2, 0], [1, 3]), [1000, 1000, 1000]);
                w.Resize([13, 3]);
                tx.CreateArray<int>("gone", [4], [2]).Write([1, 2, 3, 4]);
                tx.CreateArray<int>("y", [4], [2]).Write([5, 6, 7, 8]);
            });
            store.Delete("gone");
        }

        var expectedX = Enumerable.Range(0, 13 * 3).Select(v => v is >= 6 and < 9 ? 1000.0 : v).Sum();
        string output = PythonZarr.Run(ReadSum, root);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("['x', 'y']", lines[0].Trim());
        Assert.Equal($"x (13, 3) float64 {expectedX:0.0}", lines[1].Trim());
        Assert.Equal("y (4,) int32 26.0", lines[2].Trim());
    }
}
