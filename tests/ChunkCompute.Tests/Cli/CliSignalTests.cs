using System.Diagnostics;
using System.Runtime.InteropServices;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Cli;

/// <summary>
/// SIGTERM and SIGINT cancel a running command promptly: non-zero exit, partial output removed, nothing published.
/// The child keeps every core busy, so these run alone (not beside timing-sensitive tests such as CrashTests).
/// </summary>
[Collection(nameof(CliSignalTests))]
public sealed partial class CliSignalTests
{
    [Theory]
    [InlineData(15, 143)] // SIGTERM: a service manager stopping the job
    [InlineData(2, 130)] // SIGINT: Ctrl-C
    public async Task Convert_Signalled_ExitsPromptlyAndPublishesNothing(int signal, int exitCode)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "POSIX signals");
        using var tmp = new TempDirectory("cc-cli-signal");
        string source = tmp.Combine("src.zarr");
        string target = tmp.Combine("dst.zarr");

        // 5000 chunks of 32 MB of fill value (no chunk files): tens of seconds of work, no disk used.
        Directory.CreateDirectory(Path.Combine(source, "a"));
        File.WriteAllText(Path.Combine(source, "zarr.json"), """{"zarr_format": 3, "node_type": "group", "attributes": {}}""");
        File.WriteAllText(Path.Combine(source, "a", "zarr.json"), """
            {"zarr_format": 3, "node_type": "array", "shape": [20000000000], "data_type": "float64",
             "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [4000000]}},
             "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}}, "fill_value": 1.5,
             "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}], "attributes": {}}
            """);

        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "chunkcompute.dll"), "convert", source, target, "--array", "a", "--codec", "zstd", "--memory", "256MiB" })
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            // Signal it well into its seconds of work (after the runtime has started and the signal handlers are in).
            await Task.Delay(2000, TestContext.Current.CancellationToken);
            if (process.HasExited)
            {
                Assert.Fail("the convert ended before it was signalled: " + await stdout + await stderr);
            }

            int killed = Kill(process.Id, signal);
            Assert.True(killed == 0, $"kill({process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
            var signalled = Stopwatch.StartNew();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(signalled.Elapsed < TimeSpan.FromSeconds(5), $"exit took {signalled.Elapsed}");
            Assert.True(exitCode == process.ExitCode, $"exit {process.ExitCode}: {await stdout}{await stderr}");
            Assert.Contains("cancelled", await stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("converted", await stdout, StringComparison.Ordinal);
            Assert.False(Directory.Exists(target), "a cancelled convert must remove the store it created");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}

/// <summary>Runs <see cref="CliSignalTests"/> with no other test in parallel.</summary>
[CollectionDefinition(nameof(CliSignalTests), DisableParallelization = true)]
public sealed class CliSignalTestsCollection
{
}
