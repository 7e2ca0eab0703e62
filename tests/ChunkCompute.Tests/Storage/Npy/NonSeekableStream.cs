namespace ChunkCompute.Tests.Storage.NpyFormat;

/// <summary>A read-only stream that cannot seek, like a pipe.</summary>
internal sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
{
    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }
}
