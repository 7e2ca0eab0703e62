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

    /// <summary>A <c>--json</c> option: print one JSON object instead of text.</summary>
    public static Option<bool> Json(string fields) => new("--json") { Description = "Print one JSON object instead of text: " + fields + "." };
}
