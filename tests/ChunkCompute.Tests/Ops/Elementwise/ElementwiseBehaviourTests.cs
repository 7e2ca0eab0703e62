using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;

namespace ChunkCompute.Tests.Ops.Elementwise;

/// <summary>Errors, scalars on either side, integer division by zero and saturating float→int conversion.</summary>
public sealed class ElementwiseBehaviourTests
{
    [Fact]
    public void Add_ShapesThatCannotBroadcast_ThrowsArgumentExceptionNamingBoth()
    {
        var a = ChunkedArray.Zeros<double>([3, 4], [2, 2]);
        var b = ChunkedArray.Zeros<double>([5], [2]);
        var ex = Assert.Throws<ArgumentException>(() => a + b);
        Assert.Contains("[3, 4]", ex.Message);
        Assert.Contains("[5]", ex.Message);
    }

    [Fact]
    public void Add_SameShapeDifferentChunks_ThrowsArgumentExceptionSuggestingRechunk()
    {
        var a = ChunkedArray.Zeros<double>([6], [2]);
        var b = ChunkedArray.Zeros<double>([6], [3]);
        var ex = Assert.Throws<ArgumentException>(() => a * b);
        Assert.Contains("Rechunk", ex.Message);
    }

    [Fact]
    public void Operators_ScalarOnEitherSide_MatchNumPy()
    {
        var x = ChunkedArray.FromArray([1, -7, 8], 2);
        Assert.Equal([2, -6, 9], (x + 1).Compute().ToArray());
        Assert.Equal([0, 8, -7], (1 - x).Compute().ToArray());
        Assert.Equal([3, -21, 24], (3 * x).Compute().ToArray());
        Assert.Equal([0, -4, 4], (x / 2).Compute().ToArray());
        Assert.Equal([10, -2, 1], (10 / x).Compute().ToArray());
        Assert.Equal([1, 1, 0], (x % 2).Compute().ToArray());
        Assert.Equal([true, false, true], (0 < x).Compute().ToArray());
    }

    [Fact]
    public void Divide_IntegerByZero_GivesZeroAndDoesNotThrow()
    {
        var x = ChunkedArray.FromArray([5, -5, 0, int.MinValue], 3);
        Assert.Equal([0, 0, 0, 0], (x / 0).Compute().ToArray());
        Assert.Equal([0, 0, 0, 0], (x % 0).Compute().ToArray());
        Assert.Equal([-5, 5, 0, int.MinValue], (x / -1).Compute().ToArray());
    }

    [Fact]
    public void Divide_FloatByZero_GivesInfinityOrNaN()
    {
        var x = ChunkedArray.FromArray([1.0, -1.0, 0.0], 2);
        Assert.Equal([double.PositiveInfinity, double.NegativeInfinity, double.NaN], (x / 0.0).Compute().ToArray());
    }

    [Fact]
    public void AsType_NaNAndOutOfRangeToInt_SaturatesAndMapsNaNToZero()
    {
        var x = ChunkedArray.FromArray([double.NaN, 1e20, -1e20, double.PositiveInfinity, -2.9], 2);
        Assert.Equal([0, int.MaxValue, int.MinValue, int.MaxValue, -2], x.AsType<int>().Compute().ToArray());
    }

    [Fact]
    public void AsType_SameType_ReturnsTheArrayItself()
    {
        var x = ChunkedArray.FromArray([1.0], 1);
        Assert.Same(x, x.AsType<double>());
    }

    [Fact]
    public void Operators_ScalarArray0D_BroadcastsAgainstMatrix()
    {
        var scalar = ChunkedArray.FromArray([10.0], ChunkGrid.FromSizes([]));
        var m = ChunkedArray.FromArray([1.0, 2.0, 3.0, 4.0], [2, 2], [1, 2]);
        Assert.Equal([11.0, 12.0, 13.0, 14.0], (m + scalar).Compute().ToArray());
        Assert.Equal([9.0, 8.0, 7.0, 6.0], (scalar - m).Compute().ToArray());
    }
}
