using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.ML;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Npy;
using ChunkCompute.Tests.TestSupport;

namespace ChunkCompute.Tests.ML.Scalers;

/// <summary>Scalers against NumPy-computed scikit-learn semantics (tests/fixture-scripts/gen_scaler_fixtures.py).</summary>
public sealed class ScalerFixtureTests
{
    private static readonly string Dir = Path.Combine(FixturePaths.Root, "scalers");

    private static double[] D(string name) => Npy.Load<double>(Path.Combine(Dir, name + ".npy"));

    /// <summary>The input, on an irregular grid so that partial states merge across uneven chunks.</summary>
    private static ChunkedArray<double> X64(out double[] data)
    {
        data = Npy.Load<double>(Path.Combine(Dir, "x_f64.npy"), out var shape);
        Assert.Equal([400L, 7L], shape);
        return ChunkedArray.FromArray(data, ChunkGrid.FromSizes([[37, 100, 63, 200], [3, 1, 3]]));
    }

    private static ChunkedArray<float> X32(out float[] data)
    {
        data = Npy.Load<float>(Path.Combine(Dir, "x_f32.npy"), out var shape);
        Assert.Equal([300L, 4L], shape);
        return ChunkedArray.FromArray(data, [300, 4], [64, 3]);
    }

    private static void Close(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double relative, double absolute = 0)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            if (double.IsNaN(expected[i]))
            {
                Assert.True(double.IsNaN(actual[i]), $"[{i}]: expected NaN, got {actual[i]}");
                continue;
            }

            double tolerance = absolute + (relative * Math.Abs(expected[i]));
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}]: expected {expected[i]:R}, got {actual[i]:R} (tolerance {tolerance:G3})");
        }
    }

    [Fact]
    public void StandardScaler_Float64_MatchesScikitLearn()
    {
        var x = X64(out _);
        var scaler = new StandardScaler().Fit(x);
        Close(D("standard_f64_mean"), scaler.Mean, 1e-13);
        // Feature 5 is 1e6 ± 1e-3: its deviations keep only ~7 digits in float64 (condition number 1e12), so any two
        // correct one-pass/two-pass algorithms differ there by ~1e-9 relative; the other features agree to ~1e-14.
        Close(D("standard_f64_var"), scaler.Variance, 1e-8);
        Close(D("standard_f64_scale"), scaler.Scale, 1e-8);
        Assert.Equal(1.0, scaler.Scale[3]); // the constant feature
        Assert.Equal(375.0, scaler.SamplesSeen[0]); // 25 NaNs ignored
        Close(D("standard_f64_transform"), scaler.Transform(x).Compute().ToArray(), 1e-8, 1e-6);
        Close(D("standard_nomean_f64_transform"), new StandardScaler(withMean: false).Fit(x).Transform(x).Compute().ToArray(), 1e-8);
    }

    [Fact]
    public void StandardScaler_Float32_MatchesScikitLearn()
    {
        var x = X32(out _);
        var scaler = new StandardScaler().Fit(x);
        Close(D("standard_f32_mean"), scaler.Mean, 1e-12, 1e-12);
        Close(D("standard_f32_var"), scaler.Variance, 1e-10);
        var expected = Npy.Load<float>(Path.Combine(Dir, "standard_f32_transform.npy")).Select(v => (double)v).ToArray();
        Close(expected, scaler.Transform(x).Compute().ToArray().Select(v => (double)v).ToArray(), 1e-6, 1e-6);
    }

    [Fact]
    public void MinMaxScaler_MatchesScikitLearn_DefaultAndCustomRange()
    {
        var x = X64(out _);
        var scaler = new MinMaxScaler().Fit(x);
        Close(D("minmax_f64_data_min"), scaler.DataMin, 0);
        Close(D("minmax_f64_data_max"), scaler.DataMax, 0);
        Close(D("minmax_f64_scale"), scaler.Scale, 1e-15);
        Close(D("minmax_f64_min"), scaler.Min, 1e-15, 1e-15);
        Close(D("minmax_f64_transform"), scaler.Transform(x).Compute().ToArray(), 1e-12, 1e-12);
        Close(D("minmax_range_f64_transform"), new MinMaxScaler((-1, 2)).Fit(x).Transform(x).Compute().ToArray(), 1e-12, 1e-12);

        var x32 = X32(out _);
        var expected = Npy.Load<float>(Path.Combine(Dir, "minmax_f32_transform.npy")).Select(v => (double)v).ToArray();
        Close(expected, new MinMaxScaler().Fit(x32).Transform(x32).Compute().ToArray().Select(v => (double)v).ToArray(), 1e-6, 1e-7);
    }

    [Fact]
    public void MinMaxScaler_Clip_KeepsNewDataInRange()
    {
        var fit = ChunkedArray.FromArray([0.0, 10, 5, 20], [2, 2], [1, 2]);
        var scaler = new MinMaxScaler((0, 1), clip: true).Fit(fit);
        var other = ChunkedArray.FromArray([-5.0, 10, 15, 40], [2, 2], [2, 2]);
        Assert.Equal([0.0, 0, 1, 1], scaler.Transform(other).Compute().ToArray());
        Assert.Equal([-1.0, 0, 3, 3], new MinMaxScaler().Fit(fit).Transform(other).Compute().ToArray());
    }

    [Theory]
    [InlineData("f64")]
    [InlineData("f32")]
    public void RobustScaler_QuantilesWithinStatedBoundOfNumPy(string key)
    {
        RobustScaler scaler;
        double[] ranges;
        if (key == "f64")
        {
            var x = X64(out var data);
            scaler = new RobustScaler().Fit(x);
            ranges = ColumnRanges(data.Select(v => v).ToArray(), 7);
        }
        else
        {
            var x = X32(out var data);
            scaler = new RobustScaler().Fit(x);
            ranges = ColumnRanges(data.Select(v => (double)v).ToArray(), 4);
        }

        for (int c = 0; c < ranges.Length; c++)
        {
            Assert.Equal(ranges[c] / (128.0 * 128 * 128), scaler.QuantileErrorBound[c], 1e-300);
        }

        AssertWithinBound(D($"robust_{key}_center"), scaler.Center, scaler.QuantileErrorBound);
        AssertWithinBound(D($"robust_{key}_q25"), scaler.QuantileLow, scaler.QuantileErrorBound);
        AssertWithinBound(D($"robust_{key}_q75"), scaler.QuantileHigh, scaler.QuantileErrorBound);
        var scaleBound = scaler.QuantileErrorBound.Select(b => 2 * b).ToArray();
        AssertWithinBound(D($"robust_{key}_scale"), scaler.Scale, scaleBound);
    }

    [Fact]
    public void RobustScaler_CustomRangeAndTransform()
    {
        var x = X64(out _);
        var scaler = new RobustScaler(quantileRange: (10, 90)).Fit(x);
        AssertWithinBound(D("robust_q1090_f64_q10"), scaler.QuantileLow, scaler.QuantileErrorBound);
        AssertWithinBound(D("robust_q1090_f64_q90"), scaler.QuantileHigh, scaler.QuantileErrorBound);

        var robust = new RobustScaler().Fit(x);
        var expected = D("robust_f64_transform");
        var actual = robust.Transform(x).Compute().ToArray();
        var original = D("x_f64");
        for (int i = 0; i < expected.Length; i++)
        {
            int c = i % 7;
            if (double.IsNaN(expected[i]))
            {
                Assert.True(double.IsNaN(actual[i]));
                continue;
            }

            // (x − m̂)/ŝ vs (x − m)/s with |m̂ − m| ≤ b and |ŝ − s| ≤ 2b.
            double s = robust.Scale[c], b = robust.QuantileErrorBound[c];
            double tolerance = (b / s) + (Math.Abs(original[i] - robust.Center[c]) * 2 * b / (s * (s - (2 * b)))) + 1e-12;
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}] {expected[i]} vs {actual[i]}");
        }
    }

    [Theory]
    [InlineData(4, 3)]
    [InlineData(16, 1)]
    [InlineData(2, 12)]
    [InlineData(1024, 2)]
    public void RobustScaler_OtherBinsAndLevels_WithinTheirBound(int bins, int levels)
    {
        var x = X64(out var data);
        var scaler = new RobustScaler(bins: bins, levels: levels).Fit(x);
        var ranges = ColumnRanges(data, 7);
        for (int c = 0; c < 7; c++)
        {
            Assert.Equal(ranges[c] / Math.Pow(bins, levels), scaler.QuantileErrorBound[c], 1e-300);
        }

        AssertWithinBound(D("robust_f64_center"), scaler.Center, scaler.QuantileErrorBound);
        AssertWithinBound(D("robust_f64_q25"), scaler.QuantileLow, scaler.QuantileErrorBound);
        AssertWithinBound(D("robust_f64_q75"), scaler.QuantileHigh, scaler.QuantileErrorBound);
    }

    private static double[] ColumnRanges(double[] data, int cols) =>
        Enumerable.Range(0, cols).Select(c =>
        {
            var col = data.Where((_, i) => i % cols == c).Where(v => !double.IsNaN(v)).ToArray();
            return col.Max() - col.Min();
        }).ToArray();

    private static void AssertWithinBound(double[] expected, IReadOnlyList<double> actual, IReadOnlyList<double> bound)
    {
        for (int c = 0; c < expected.Length; c++)
        {
            double error = Math.Abs(expected[c] - actual[c]);
            Assert.True(error <= bound[c], $"feature {c}: NumPy {expected[c]:R}, estimate {actual[c]:R}, error {error:G3} > bound {bound[c]:G3}");
        }
    }

    [Fact]
    public void Fit_UnderBudget_AndRefusedWhenBudgetTooSmall()
    {
        using var store = ZarrStore.InMemory();
        const int N = 40_000, C = 8;
        var data = Enumerable.Range(0, N * C).Select(i => Math.Sin(i * 0.37) * (1 + (i % C))).ToArray();
        store.CreateArray<double>("x", [N, C], [1000, 4]).Write(data);
        var x = store.Open<double>("x");
        var scaler = new StandardScaler().Fit(x, new ComputeOptions { MemoryBudget = 512 << 10 }); // 1/5 of the array
        double mean0 = Enumerable.Range(0, N).Average(r => data[r * C]);
        Assert.Equal(mean0, scaler.Mean[0], 1e-12);
        Assert.Throws<MemoryPlanRefusedException>(() => new RobustScaler().Fit(x, new ComputeOptions { MemoryBudget = 16 << 10 }));
    }
}
