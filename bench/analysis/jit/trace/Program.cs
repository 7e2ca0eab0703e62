using Microsoft.Diagnostics.Tracing;

// Per method: the time from MethodJittingStarted to MethodLoadVerbose on the same method, grouped by the tier the JIT
// compiled it at and by type. Usage: JitTrace TRACE.nettrace [TOP]
var source = new EventPipeEventSource(args[0]);
var started = new Dictionary<long, double>();
var rows = new List<(double Ms, string Name, string Tier)>();
source.Clr.MethodJittingStarted += e => started[e.MethodID] = e.TimeStampRelativeMSec;
source.Clr.MethodLoadVerbose += e =>
{
    if (started.Remove(e.MethodID, out double t))
    {
        rows.Add((e.TimeStampRelativeMSec - t, e.MethodNamespace + "::" + e.MethodName, e.OptimizationTier.ToString()));
    }
};
source.Process();

Console.WriteLine($"total {rows.Sum(r => r.Ms):F1} ms over {rows.Count} methods");
foreach (var tier in rows.GroupBy(r => r.Tier))
{
    Console.WriteLine($"  {tier.Key}: {tier.Sum(r => r.Ms):F1} ms, {tier.Count()} methods");
}

int top = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 30;
foreach (var r in rows.OrderByDescending(r => r.Ms).Take(top))
{
    Console.WriteLine($"{r.Ms,7:F2} {r.Tier,-14} {r.Name}");
}

Console.WriteLine("-- by type");
foreach (var g in rows.GroupBy(r => TypeOf(r.Name)).OrderByDescending(g => g.Sum(r => r.Ms)).Take(top))
{
    Console.WriteLine($"{g.Sum(r => r.Ms),7:F1} {g.Count(),4} {g.Key}");
}

static string TypeOf(string name)
{
    string type = name.Split("::")[0];
    int cut = type.IndexOfAny(['`', '[', '+']);
    return cut > 0 ? type[..cut] : type;
}
