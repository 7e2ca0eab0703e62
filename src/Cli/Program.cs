using System.Runtime.InteropServices;

namespace ChunkCompute.Cli;

/// <summary>The <c>chunkcompute</c> entry point.</summary>
public static class Program
{
    /// <summary>
    /// Runs the tool; returns 0 on success, 2 on bad usage, 1 on any other error, 130 when cancelled with Ctrl-C. The
    /// first Ctrl-C cancels the running command, which removes its partial output before exiting; a second one
    /// terminates the process at once. SIGTERM (a service manager stopping the job) cancels the same way (exit 143).
    /// </summary>
    public static int Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
        {
            if (!cancellation.IsCancellationRequested)
            {
                e.Cancel = true;
                cancellation.Cancel();
            }
        }

        bool terminated = false;
        Console.CancelKeyPress += OnCancelKeyPress;
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            if (!cancellation.IsCancellationRequested)
            {
                context.Cancel = true; // keep running until the command has cleaned up
                terminated = true;
                cancellation.Cancel();
            }
        });
        try
        {
            int code = CliApp.Run(args, Console.Out, Console.Error, cancellation.Token);
            return terminated && code == 130 ? 143 : code;
        }
        finally
        {
            Console.CancelKeyPress -= OnCancelKeyPress;
        }
    }
}
