using System.CommandLine;
using Spectre.Console;

namespace ChunkCompute.Cli.Progress;

/// <summary>Runs a command's work under a live progress display on stderr when the context allows one.</summary>
internal static class ProgressDisplay
{
    /// <summary>
    /// Runs <paramref name="work"/> on the thread pool, with a progress bar labelled <paramref name="label"/> on stderr
    /// when it is a terminal and <c>--quiet</c> was not given; the bar is cleared when the work ends.
    /// </summary>
    public static async Task<T> RunAsync<T>(CliContext context, ParseResult parse, string label, Func<CliProgress, Task<T>> work)
    {
        if (!context.ShowProgress(parse))
        {
            return await Task.Run(() => work(CliProgress.Silent)).ConfigureAwait(false);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Error) });
        return await console.Progress()
            .AutoClear(true)
            .HideCompleted(false)
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new CountColumn(),
                new BytesColumn(),
                new RemainingTimeColumn(),
                new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(label), autoStart: true, maxValue: 1);
                var result = await Task.Run(() => work(CliProgress.For(task))).ConfigureAwait(false);
                task.Value = task.MaxValue;
                return result;
            }).ConfigureAwait(false);
    }
}
