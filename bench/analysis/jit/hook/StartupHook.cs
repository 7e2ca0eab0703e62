/// <summary>
/// Loaded into any .NET process by <c>DOTNET_STARTUP_HOOKS</c>: prints to standard error, at exit, how many methods the
/// JIT compiled and the time it spent (<see cref="System.Runtime.JitInfo"/>, every thread), and the process's garbage
/// collections, without changing the program measured.
/// </summary>
internal static class StartupHook
{
    /// <summary>Called by the runtime before <c>Main</c>.</summary>
    public static void Initialize()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Console.Error.WriteLine(
            $"JIT: {System.Runtime.JitInfo.GetCompiledMethodCount()} methods, " +
            $"{System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:F1} ms; since the hook {clock.Elapsed.TotalMilliseconds:F0} ms; " +
            $"GC {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, {GC.GetTotalAllocatedBytes() / 1048576} MiB allocated");
    }
}
