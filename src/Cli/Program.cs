namespace ChunkCompute.Cli;

/// <summary>The <c>chunkcompute</c> entry point.</summary>
public static class Program
{
    /// <summary>
    /// Runs the tool; returns 0 on success, 2 on bad usage, 1 on any other error, 130 when cancelled with Ctrl-C. The
    /// first Ctrl-C cancels the running command, which removes its partial output before exiting; a second one
    /// terminates the process at once.
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

        Console.CancelKeyPress += OnCancelKeyPress;
        try
        {
            return CliApp.Run(args, Console.Out, Console.Error, cancellation.Token);
        }
        finally
        {
            Console.CancelKeyPress -= OnCancelKeyPress;
        }
    }
}
