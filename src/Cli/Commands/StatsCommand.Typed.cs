using ChunkCompute.Graph;
using ChunkCompute.Ops;

namespace ChunkCompute.Cli.Commands;

/// <content>
/// The reductions with one overload per element type (sum, mean, std, var and their nan forms): the bodies are the
/// same text, the compiler picks each type's overload (statically bound, so trimming and Native AOT keep them).
/// </content>
internal static partial class StatsCommand
{
    private static Reduction BuildTyped(ChunkedArray<bool> x, string op, int[] axes, double ddof) => op switch
    {
        "sum" => Of(x.Sum(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "mean" => Of(x.Mean(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "std" => Of(x.Std(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "var" => Of(x.Var(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "nansum" => Of(x.NanSum(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanmean" => Of(x.NanMean(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanstd" => Of(x.NanStd(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanvar" => Of(x.NanVar(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        _ => throw NotAvailable<bool>(op),
    };

    private static Reduction BuildTyped(ChunkedArray<sbyte> x, string op, int[] axes, double ddof) => op switch
    {
        "sum" => Of(x.Sum(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "mean" => Of(x.Mean(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "std" => Of(x.Std(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "var" => Of(x.Var(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "nansum" => Of(x.NanSum(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanmean" => Of(x.NanMean(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanstd" => Of(x.NanStd(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanvar" => Of(x.NanVar(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        _ => throw NotAvailable<sbyte>(op),
    };

    private static Reduction BuildTyped(ChunkedArray<short> x, string op, int[] axes, double ddof) => op switch
    {
        "sum" => Of(x.Sum(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "mean" => Of(x.Mean(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "std" => Of(x.Std(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "var" => Of(x.Var(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "nansum" => Of(x.NanSum(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanmean" => Of(x.NanMean(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanstd" => Of(x.NanStd(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanvar" => Of(x.NanVar(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        _ => throw NotAvailable<short>(op),
    };

    private static Reduction BuildTyped(ChunkedArray<int> x, string op, int[] axes, double ddof) => op switch
    {
        "sum" => Of(x.Sum(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "mean" => Of(x.Mean(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "std" => Of(x.Std(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "var" => Of(x.Var(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "nansum" => Of(x.NanSum(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanmean" => Of(x.NanMean(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanstd" => Of(x.NanStd(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanvar" => Of(x.NanVar(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        _ => throw NotAvailable<int>(op),
    };

    private static Reduction BuildTyped(ChunkedArray<long> x, string op, int[] axes, double ddof) => op switch
    {
        "sum" => Of(x.Sum(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "mean" => Of(x.Mean(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "std" => Of(x.Std(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "var" => Of(x.Var(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "nansum" => Of(x.NanSum(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanmean" => Of(x.NanMean(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanstd" => Of(x.NanStd(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanvar" => Of(x.NanVar(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        _ => throw NotAvailable<long>(op),
    };

    private static Reduction BuildTyped(ChunkedArray<byte> x, string op, int[] axes, double ddof) => op switch
    {
        "sum" => Of(x.Sum(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "mean" => Of(x.Mean(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "std" => Of(x.Std(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "var" => Of(x.Var(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "nansum" => Of(x.NanSum(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanmean" => Of(x.NanMean(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanstd" => Of(x.NanStd(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanvar" => Of(x.NanVar(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        _ => throw NotAvailable<byte>(op),
    };

    private static Reduction BuildTyped(ChunkedArray<ushort> x, string op, int[] axes, double ddof) => op switch
    {
        "sum" => Of(x.Sum(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "mean" => Of(x.Mean(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "std" => Of(x.Std(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "var" => Of(x.Var(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "nansum" => Of(x.NanSum(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanmean" => Of(x.NanMean(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanstd" => Of(x.NanStd(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanvar" => Of(x.NanVar(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        _ => throw NotAvailable<ushort>(op),
    };

    private static Reduction BuildTyped(ChunkedArray<uint> x, string op, int[] axes, double ddof) => op switch
    {
        "sum" => Of(x.Sum(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "mean" => Of(x.Mean(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "std" => Of(x.Std(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "var" => Of(x.Var(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "nansum" => Of(x.NanSum(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanmean" => Of(x.NanMean(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanstd" => Of(x.NanStd(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanvar" => Of(x.NanVar(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        _ => throw NotAvailable<uint>(op),
    };

    private static Reduction BuildTyped(ChunkedArray<ulong> x, string op, int[] axes, double ddof) => op switch
    {
        "sum" => Of(x.Sum(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "mean" => Of(x.Mean(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "std" => Of(x.Std(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "var" => Of(x.Var(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "nansum" => Of(x.NanSum(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanmean" => Of(x.NanMean(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanstd" => Of(x.NanStd(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanvar" => Of(x.NanVar(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        _ => throw NotAvailable<ulong>(op),
    };

    private static Reduction BuildTyped(ChunkedArray<Half> x, string op, int[] axes, double ddof) => op switch
    {
        "sum" => Of(x.Sum(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "mean" => Of(x.Mean(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "std" => Of(x.Std(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "var" => Of(x.Var(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "nansum" => Of(x.NanSum(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanmean" => Of(x.NanMean(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanstd" => Of(x.NanStd(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanvar" => Of(x.NanVar(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        _ => throw NotAvailable<Half>(op),
    };

    private static Reduction BuildTyped(ChunkedArray<float> x, string op, int[] axes, double ddof) => op switch
    {
        "sum" => Of(x.Sum(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "mean" => Of(x.Mean(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "std" => Of(x.Std(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "var" => Of(x.Var(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "nansum" => Of(x.NanSum(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanmean" => Of(x.NanMean(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanstd" => Of(x.NanStd(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanvar" => Of(x.NanVar(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        _ => throw NotAvailable<float>(op),
    };

    private static Reduction BuildTyped(ChunkedArray<double> x, string op, int[] axes, double ddof) => op switch
    {
        "sum" => Of(x.Sum(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "mean" => Of(x.Mean(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "std" => Of(x.Std(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "var" => Of(x.Var(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "nansum" => Of(x.NanSum(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanmean" => Of(x.NanMean(axes, false, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanstd" => Of(x.NanStd(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        "nanvar" => Of(x.NanVar(axes, false, ddof, ChunkedArrayReductions.DefaultSplitEvery)),
        _ => throw NotAvailable<double>(op),
    };
}
