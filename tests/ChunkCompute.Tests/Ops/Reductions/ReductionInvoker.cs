using System.Reflection;
using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;

namespace ChunkCompute.Tests.Ops.Reductions;

/// <summary>
/// Calls a reduction by its NumPy name on an array of any element type (through reflection over the public
/// overloads, so the typed result overloads are exercised) and computes it.
/// </summary>
internal static class ReductionInvoker
{
    private static readonly Dictionary<string, (string Method, bool SkipNaN)> Names = new()
    {
        ["sum"] = ("Sum", false), ["nansum"] = ("NanSum", false), ["mean"] = ("Mean", false), ["nanmean"] = ("NanMean", false),
        ["var"] = ("Var", false), ["nanvar"] = ("NanVar", false), ["std"] = ("Std", false), ["nanstd"] = ("NanStd", false),
        ["min"] = ("Min", false), ["max"] = ("Max", false), ["nanmin"] = ("NanMin", false), ["nanmax"] = ("NanMax", false),
        ["argmin"] = ("ArgMin", false), ["argmax"] = ("ArgMax", false), ["count_nonzero"] = ("CountNonZero", false),
        ["any"] = ("Any", false), ["all"] = ("All", false), ["count"] = ("Count", false), ["count_nonnan"] = ("Count", true),
    };

    /// <summary>Builds the lazy result node; <paramref name="axes"/> null with <paramref name="single"/> false means axis=None.</summary>
    public static ArrayNode Build(object array, string op, int[]? axes, bool single, bool keepDims, double ddof, int splitEvery)
    {
        var (method, skipNaN) = Names[op];
        var elementType = array.GetType().GetGenericArguments()[0];
        bool wantArray = axes is not null && !single;
        var candidates = typeof(ChunkedArrayReductions).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name == method)
            .Select(m => m.IsGenericMethodDefinition ? m.MakeGenericMethod(elementType) : m)
            .Where(m => m.GetParameters()[0].ParameterType == array.GetType())
            .Where(m => m.GetParameters()[1].ParameterType != typeof(string) && m.GetParameters()[1].ParameterType != typeof(string[]))
            .Where(m => (m.GetParameters()[1].ParameterType == typeof(int[])) == wantArray)
            .ToList();
        var info = Assert.Single(candidates);
        var args = info.GetParameters().Select(p => p.Name switch
        {
            "x" => array,
            "axis" => axes is null ? null : (object)axes[0],
            "axes" => axes,
            "keepDims" => keepDims,
            "ddof" => ddof,
            "skipNaN" => skipNaN,
            "splitEvery" => splitEvery,
            _ => throw new InvalidOperationException(p.Name),
        }).ToArray();
        try
        {
            object result = info.Invoke(null, args)!;
            return (ArrayNode)result.GetType().GetProperty("Node")!.GetValue(result)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    /// <summary>Computes a node; returns its shape and elements boxed.</summary>
    public static (long[] Shape, Array Data) Compute(ArrayNode node, long budget = ComputeOptions.DefaultMemoryBudget)
    {
        dynamic r = Computation.Compute([node], new ComputeOptions { MemoryBudget = budget })[0];
        return (((IReadOnlyList<long>)r.Shape).ToArray(), (Array)r.ToArray());
    }

    /// <summary>A boxed element as double (Half is not IConvertible).</summary>
    public static double ToDouble(object v) => v switch
    {
        Half h => (double)h,
        bool b => b ? 1 : 0,
        _ => Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture),
    };
}
