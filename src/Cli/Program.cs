namespace ChunkCompute.Cli;

/// <summary>The <c>chunkcompute</c> entry point.</summary>
public static class Program
{
    /// <summary>Runs the tool; returns 0 on success, 2 on bad usage, 1 on any other error.</summary>
    public static int Main(string[] args) => CliApp.Run(args, Console.Out, Console.Error);
}
