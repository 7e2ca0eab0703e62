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
    /// <remarks>With <c>--dashboard</c> the dashboard is served (its address printed on stderr) before the work starts,
    /// so a port in use fails first; with <c>--report FILE.html</c> the report is written when the work ends, failed or
    /// not.</remarks>
    public static Task<T> RunAsync<T>(CliContext context, ParseResult parse, string label, Func<CliProgress, Task<T>> work)
    {
        if (!CliDashboard.Asked(parse) && !context.ShowProgress(parse))
        {
            // Nothing to show or record (--quiet, or stderr not a terminal): the work alone, with no display code to load.
            return Task.Run(() => work(CliProgress.For(null, null, null, label)));
        }

        return RunWithDashboardAsync(context, parse, label, work);
    }

    private static async Task<T> RunWithDashboardAsync<T>(CliContext context, ParseResult parse, string label, Func<CliProgress, Task<T>> work)
    {
        await using var watch = await CliDashboard.StartAsync(context, parse, label).ConfigureAwait(false);
        try
        {
            return await RunWithDisplayAsync(context, parse, label, task => work(CliProgress.For(task, watch?.Observer, watch?.Recorder, label))).ConfigureAwait(false);
        }
        finally
        {
            watch?.Finish();
        }
    }

    private static async Task<T> RunWithDisplayAsync<T>(CliContext context, ParseResult parse, string label, Func<ProgressTask?, Task<T>> work)
    {
        if (!context.ShowProgress(parse))
        {
            return await Task.Run(() => work(null)).ConfigureAwait(false);
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
                var result = await Task.Run(() => work(task)).ConfigureAwait(false);
                task.Value = task.MaxValue;
                return result;
            }).ConfigureAwait(false);
    }
}
