using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;

namespace ChunkCompute.Bench.Micro;

/// <summary>
/// The elementwise chain <c>(x - 1) * 2</c> over 4 MiB of float64: unfused TensorPrimitives (two passes through a
/// temporary), fused TensorPrimitives (one MultiplyAdd pass: x * 2 + c, c a constant -2 span: TensorPrimitives has no
/// scalar-scalar overload, so this reads one more stream than a true fused kernel), and the engine computing the chain over
/// an in-memory array of one 4 MiB chunk (fused by the engine; includes lowering, planning and result assembly).
/// </summary>
[MemoryDiagnoser]
public class ElementwiseChainBenchmarks
{
    private const int N = (4 << 20) / sizeof(double);
    private double[] _x = null!;
    private double[] _tmp = null!;
    private double[] _dst = null!;
    private double[] _minusTwo = null!;
    private ChunkedArray<double> _array = null!;

    /// <summary>Builds the input.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _x = MicroData.Doubles(N);
        _tmp = new double[N];
        _dst = new double[N];
        _minusTwo = new double[N];
        Array.Fill(_minusTwo, -2.0);
        _array = ChunkedArray.FromArray(_x, N);
    }

    /// <summary>Two TensorPrimitives passes through a temporary.</summary>
    [Benchmark(Baseline = true)]
    public void Unfused()
    {
        TensorPrimitives.Subtract(_x, 1.0, _tmp);
        TensorPrimitives.Multiply(_tmp, 2.0, _dst);
    }

    /// <summary>One TensorPrimitives pass.</summary>
    [Benchmark]
    public void Fused() => TensorPrimitives.MultiplyAdd<double>(_x, 2.0, _minusTwo, _dst);

    /// <summary>The engine: <c>((x - 1) * 2).Compute()</c> over one chunk.</summary>
    [Benchmark]
    public ComputedArray<double> Engine() => ((_array - 1.0) * 2.0).Compute();
}

/// <summary>
/// A reduction over one 4 MiB float64 chunk: TensorPrimitives.Sum (the kernel floor) against the engine's sum of an
/// in-memory array of that one chunk (its per-chunk partial plus the scheduler's fixed cost) and its std.
/// </summary>
[MemoryDiagnoser]
public class ReductionPartialBenchmarks
{
    private const int N = (4 << 20) / sizeof(double);
    private double[] _x = null!;
    private ChunkedArray<double> _array = null!;

    /// <summary>Builds the input.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _x = MicroData.Doubles(N);
        _array = ChunkedArray.FromArray(_x, N);
    }

    /// <summary>TensorPrimitives.Sum over the chunk.</summary>
    [Benchmark(Baseline = true)]
    public double TensorPrimitivesSum() => TensorPrimitives.Sum<double>(_x);

    /// <summary>The engine's sum of the one-chunk array.</summary>
    [Benchmark]
    public ComputedArray<double> EngineSum() => _array.Sum().Compute();

    /// <summary>The engine's std of the one-chunk array.</summary>
    [Benchmark]
    public ComputedArray<double> EngineStd() => _array.Std().Compute();
}

/// <summary>Scheduler overhead: computing an in-memory array of 100,000 one-element chunks end to end.</summary>
[MemoryDiagnoser]
public class SchedulerOverheadBenchmarks
{
    private ChunkedArray<double> _array = null!;

    /// <summary>Builds the input.</summary>
    [GlobalSetup]
    public void Setup() => _array = ChunkedArray.FromArray(MicroData.Doubles(100_000), 1);

    /// <summary>100k tasks; divide the mean by 100,000 for the cost per task.</summary>
    [Benchmark(OperationsPerInvoke = 100_000)]
    public ComputedArray<double> Compute100kChunks() => Computation.Compute(_array);
}
