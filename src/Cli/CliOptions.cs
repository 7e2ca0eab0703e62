using System.CommandLine;

namespace ChunkCompute.Cli;

/// <summary>Options every command shares, so they are spelled, described and defaulted the same way everywhere.</summary>
internal static class CliOptions
{
    /// <summary>The default memory budget, as written on the command line.</summary>
    public const string DefaultMemory = "1GiB";

    /// <summary><c>--verbose</c>: stack traces with errors (every command).</summary>
    public static readonly Option<bool> Verbose = new("--verbose") { Description = "Print stack traces with errors.", Recursive = true };

    /// <summary><c>--quiet</c>: no progress display and no informational lines, only the result (every command).</summary>
    public static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "No progress display and no informational lines: print only the result.", Recursive = true };

    /// <summary>A <c>--memory SIZE</c> option for a command that computes or buffers data.</summary>
    public static Option<string> Memory(string what) => new("--memory")
    {
        Description = $"Memory budget for {what}, e.g. 512MiB, 2GiB (default {DefaultMemory}).",
        DefaultValueFactory = _ => DefaultMemory,
    };

    /// <summary>
    /// A <c>--memory SIZE</c> option for a command that reads metadata and key listings only: validated like every
    /// other, and respected trivially (the command holds no chunk data).
    /// </summary>
    public static Option<string> MemoryUnused() => new("--memory")
    {
        Description = $"Memory budget (default {DefaultMemory}); this command reads metadata and key listings only, no chunk data.",
        DefaultValueFactory = _ => DefaultMemory,
    };

    /// <summary>
    /// <c>--dashboard [[HOST:]PORT]</c>: serve a live dashboard of the run on http://127.0.0.1:PORT (default 8787; 0 for
    /// any free port; loopback unless HOST is given) for as long as the command runs.
    /// </summary>
    public static Option<string?> Dashboard() => new("--dashboard")
    {
        Description = "Serve a live dashboard of the run (task stream, progress, memory, plan) on http://127.0.0.1:PORT while it runs; PORT defaults to 8787, 0 picks a free one, HOST:PORT listens elsewhere than the loopback address.",
        Arity = ArgumentArity.ZeroOrOne,
        HelpName = "[HOST:]PORT",
    };

    /// <summary><c>--report FILE.html</c>: write a self-contained HTML performance report of the run.</summary>
    public static Option<string?> Report() => new("--report")
    {
        Description = "Write a self-contained HTML performance report of the run (the dashboard's views of the finished run, no network needed to open it).",
        HelpName = "FILE.html",
    };

    /// <summary>A <c>--json</c> option: print one JSON object instead of text.</summary>
    public static Option<bool> Json(string fields) => new("--json") { Description = "Print one JSON object instead of text: " + fields + "." };
}
