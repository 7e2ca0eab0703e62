using Spectre.Console;
using ChunkCompute.Storage;
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
        string rate = seconds > 0 ? ByteSize.Format((long)((read + written) / seconds)) + "/s" : "-";
        return new Text($"{ByteSize.Format(read)} read, {ByteSize.Format(written)} written, {rate}", new Style(Color.Grey));
    }
}
