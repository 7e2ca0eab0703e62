using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace ChunkCompute.Bench.Micro;

/// <summary>Entry point: BenchmarkDotNet's switcher (<c>--filter</c>, <c>--job short</c>, ...).</summary>
public static class Program
{
    /// <summary>Runs the benchmarks selected on the command line.</summary>
    public static void Main(string[] args) =>
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, DefaultConfig.Instance);
}

/// <summary>
/// A smoke configuration (<c>[Config(typeof(ShortConfig))]</c> or <c>--job short</c> on the command line): 3 warm-ups,
/// 3 iterations, one launch. Numbers are indicative only.
/// </summary>
public sealed class ShortConfig : ManualConfig
{
    /// <summary>Creates the configuration.</summary>
    public ShortConfig()
    {
        AddJob(Job.ShortRun);
        AddColumn(StatisticColumn.Median);
    }
}
