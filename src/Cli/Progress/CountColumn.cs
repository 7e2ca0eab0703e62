using Spectre.Console;
using ChunkCompute.Storage;
using Spectre.Console.Rendering;

namespace ChunkCompute.Cli.Progress;

/// <summary>"done/total tasks", or "done/total" in bytes during a phase that counts bytes.</summary>
internal sealed class CountColumn : ProgressColumn
{
    /// <inheritdoc/>
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
    {
        long done = task.State.Get<long>(CliProgress.DoneKey);
        long total = task.State.Get<long>(CliProgress.TotalKey);
        string text = task.State.Get<bool>(CliProgress.BytesUnitKey)
            ? $"{ByteSize.Format(done)}/{ByteSize.Format(total)}"
            : $"{done}/{total} tasks";
        return new Text(text, new Style(Color.Grey));
    }
}
