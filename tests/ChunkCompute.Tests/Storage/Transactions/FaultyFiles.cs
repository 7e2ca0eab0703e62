using ChunkCompute.Storage.Transactions;
using Microsoft.Win32.SafeHandles;

namespace ChunkCompute.Tests.Storage.Transactions;

/// <summary>Fails the Nth file operation after <see cref="Arm"/> (once, or every one from then on).</summary>
internal sealed class FaultyFiles : TransactionFiles
{
    private int _countdown = -1;

    public bool Persistent { get; set; }

    public int Operations { get; private set; }

    public bool Fired { get; private set; }

    /// <summary>When set, only operations whose description (e.g. <c>"link …"</c>) it accepts count down.</summary>
    public Predicate<string>? Counting { get; set; }

    public void Arm(int n)
    {
        _countdown = n;
        Operations = 0;
        Fired = false;
    }

    private void Step(string what)
    {
        Operations++;
        if (_countdown < 0 || (Counting is { } counting && !counting(what) && !(Persistent && Fired)))
        {
            return;
        }

        if (--_countdown == 0 || (Persistent && Fired))
        {
            Fired = true;
            throw new IOException($"injected fault: No space left on device ({what})", 28);
        }
    }

    public override void WriteDurable(string path, ReadOnlySpan<byte> bytes)
    {
        Step("write " + path);
        base.WriteDurable(path, bytes);
    }

    public override void WriteStaged(string path, ReadOnlySpan<byte> bytes)
    {
        Step("stage " + path);
        base.WriteStaged(path, bytes);
    }

    public override void FlushFile(string path)
    {
        Step("flush " + path);
        base.FlushFile(path);
    }

    public override void Overwrite(SafeFileHandle file, string path, long offset, ReadOnlySpan<byte> bytes)
    {
        Step("overwrite " + path);
        base.Overwrite(file, path, offset, bytes);
    }

    public override void FlushData(SafeFileHandle file, string path)
    {
        Step("flush data " + path);
        base.FlushData(file, path);
    }

    public override void Rename(string source, string destination)
    {
        Step("rename " + destination);
        base.Rename(source, destination);
    }

    public override void HardLink(string existing, string link)
    {
        Step("link " + link);
        base.HardLink(existing, link);
    }

    public override void Delete(string path)
    {
        Step("delete " + path);
        base.Delete(path);
    }

    public override void SyncDirectory(string path)
    {
        Step("fsync " + path);
        base.SyncDirectory(path);
    }
}
