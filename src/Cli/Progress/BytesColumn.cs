using Spectre.Console;
using Spectre.Console.Rendering;

namespace ChunkCompute.Cli.Progress;

/// <summary>Bytes read and written so far and the rate over both.</summary>
internal sealed class BytesColumn : ProgressColumn
{
    /// <inheritdoc/>
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
    {
        long read = task.State.Get<long>(CliProgress.ReadKey);
        long written = task.State.Get<long>(CliProgress.WrittenKey);
        double seconds = task.State.Get<double>(CliProgress.SecondsKey);
        string rate = seconds > 0 ? ByteText.Format((long)((read + written) / seconds)) + "/s" : "-";
        return new Text($"{ByteText.Format(read)} read, {ByteText.Format(written)} written, {rate}", new Style(Color.Grey));
    }
}
