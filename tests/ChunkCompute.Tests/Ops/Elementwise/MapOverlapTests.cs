using System.Numerics;
using System.Runtime.InteropServices;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Ops.Elementwise;

/// <summary>
/// <c>MapOverlap</c> against Dask's <c>map_overlap(…, trim=True)</c> (fixtures from
/// tests/fixture-scripts/gen_overlap_fixtures.py) for every boundary, with the same stencil written here, on irregular
/// grids whose chunks are smaller than the depth (so blocks gather from several neighbours); float64 exact up to
/// 1e-12, integers exact.
/// </summary>
public sealed class MapOverlapTests
{
    private static readonly OpsFixtures Fixtures = new("overlap");

    public static TheoryData<string> Inputs() => Fixtures.Inputs();

    [Theory]
    [MemberData(nameof(Inputs))]
    public void MapOverlap_DaskFixtures_Match(string input)
    {
        var array = Fixtures.Load(input, out _);
        var failures = new List<string>();
        foreach (var c in Fixtures.CasesOf(input))
        {
            int depth = c.GetProperty("depth").GetInt32();
            var boundary = c.GetProperty("boundary").GetString() switch
            {
                "reflect" => OverlapBoundary.Reflect,
                "periodic" => OverlapBoundary.Periodic,
                "nearest" => OverlapBoundary.Nearest,
                "none" => OverlapBoundary.None,
                _ => OverlapBoundary.Constant(7),
            };
            var (header, expected) = Fixtures.Expected(c);
            byte[] actual = array switch
            {
                ChunkedArray<double> a => Bytes(a.MapOverlap<double, double>(Enumerable.Repeat(depth, a.Rank).ToArray(), boundary, Stencil)),
                ChunkedArray<long> a => Bytes(a.MapOverlap<long, long>(Enumerable.Repeat(depth, a.Rank).ToArray(), boundary, Stencil)),
                _ => throw new InvalidOperationException(array.GetType().Name),
            };
            if (OpsFixtures.Mismatch(header.NormalizedDescr, expected, actual, 1e-12, 1e-12, 0, 0) is { } m)
            {
                failures.Add($"{c.GetProperty("expected").GetString()}: {m}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void MapOverlap_RefusesBadDepths()
    {
        var x = ChunkedArray.FromArray(new double[10], 4);
        Assert.Throws<ArgumentException>(() => x.MapOverlap<double, double>([1, 1], OverlapBoundary.None, Stencil));
        Assert.Throws<ArgumentException>(() => x.MapOverlap<double, double>([-1], OverlapBoundary.None, Stencil));
        Assert.Throws<ArgumentException>(() => x.MapOverlap<double, double>([11], OverlapBoundary.Periodic, Stencil));
    }

    // 2·b plus each neighbour within one step along every axis, zeros beyond the block (the Python fixture's stencil).
    private static void Stencil<T>(ReadOnlySpan<T> block, Span<T> output, ChunkInfo info)
        where T : unmanaged, INumber<T>
    {
        var shape = info.ChunkShape;
        int rank = shape.Count;
        var strides = new long[rank];
        long s = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            strides[d] = s;
            s *= shape[d];
        }

        var two = T.CreateChecked(2);
        for (int e = 0; e < block.Length; e++)
        {
            var r = two * block[e];
            long rest = e;
            for (int d = 0; d < rank; d++)
            {
                long i = rest / strides[d];
                rest %= strides[d];
                if (i > 0)
                {
                    r += block[(int)(e - strides[d])];
                }

                if (i < shape[d] - 1)
                {
                    r += block[(int)(e + strides[d])];
                }
            }

            output[e] = r;
        }
    }

    private static byte[] Bytes<T>(ChunkedArray<T> a)
        where T : unmanaged => MemoryMarshal.AsBytes(a.Compute().ToArray().AsSpan()).ToArray();
}
