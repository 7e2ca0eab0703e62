namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// A growable output buffer for decoders whose decoded size is not known in advance, that never allocates past a
/// bound: capacity doubles up to the bound, and writing past it fails with a <see cref="CodecException"/>.
/// </summary>
internal sealed class CappedOutput
{
    private readonly string _codec;
    private readonly int _max;
    private byte[] _buffer;
    private int _length;

    /// <summary>Creates a buffer of at most <paramref name="max"/> bytes, starting at <paramref name="initial"/>.</summary>
    public CappedOutput(string codec, long initial, int max)
    {
        CodecHelpers.CheckBound(max);
        _codec = codec;
        _max = max;
        _buffer = GC.AllocateUninitializedArray<byte>((int)Math.Min(Math.Max(initial, 0), max));
    }

    /// <summary>Bytes written so far.</summary>
    public int Length => _length;

    /// <summary>
    /// Free space to write into (growing the buffer when it is full); empty when the buffer is full at the bound.
    /// </summary>
    public Span<byte> GetSpan()
    {
        if (_length == _buffer.Length && _buffer.Length < _max)
        {
            Grow(Math.Min(_max, Math.Max(64 * 1024, (long)_buffer.Length * 2)));
        }

        return _buffer.AsSpan(_length);
    }

    /// <summary>Records <paramref name="count"/> bytes written into <see cref="GetSpan"/>.</summary>
    public void Advance(int count) => _length += count;

    /// <summary>Appends <paramref name="data"/>; fails when it would pass the bound.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        if (data.Length > _max - _length)
        {
            throw CodecHelpers.TooLarge(_codec, _max);
        }

        if (data.Length > _buffer.Length - _length)
        {
            Grow(Math.Min(_max, Math.Max((long)_length + data.Length, Math.Max(64 * 1024, (long)_buffer.Length * 2))));
        }

        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }

    /// <summary>The bytes written, as an array of exactly that length.</summary>
    public byte[] ToArray() => _length == _buffer.Length ? _buffer : _buffer.AsSpan(0, _length).ToArray();

    private void Grow(long capacity)
    {
        var next = GC.AllocateUninitializedArray<byte>((int)capacity);
        _buffer.AsSpan(0, _length).CopyTo(next);
        _buffer = next;
    }
}
