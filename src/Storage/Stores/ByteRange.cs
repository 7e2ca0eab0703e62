using System.Globalization;

namespace ChunkCompute.Storage.Stores;

/// <summary>
/// A range of a value's bytes for <see cref="IStore.GetRangePooled"/>: <see cref="Of"/> (offset and length),
/// <see cref="From"/> (offset to the end) or <see cref="Last"/> (the last N bytes: a shard's index sits at its end).
/// </summary>
/// <remarks>
/// Resolved against the value's length as S3 and HTTP do: a range that runs past the end is clamped to it and a
/// suffix longer than the value is the whole value, but a range that starts past the end is refused
/// (<see cref="ArgumentOutOfRangeException"/>, S3's 416). A range starting exactly at the end is empty.
/// </remarks>
public readonly record struct ByteRange
{
    private ByteRange(long offset, long? length, bool isSuffix)
    {
        Offset = offset;
        Length = length;
        IsSuffix = isSuffix;
    }

    /// <summary>The first byte's offset (0 for a suffix range).</summary>
    public long Offset { get; }

    /// <summary>The number of bytes (at most: ranges are clamped to the value), or null for "to the end".</summary>
    public long? Length { get; }

    /// <summary>True for "the last <see cref="Length"/> bytes".</summary>
    public bool IsSuffix { get; }

    /// <summary><paramref name="length"/> bytes starting at <paramref name="offset"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The offset or length is negative.</exception>
    public static ByteRange Of(long offset, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new ByteRange(offset, length, false);
    }

    /// <summary>Every byte from <paramref name="offset"/> to the end.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The offset is negative.</exception>
    public static ByteRange From(long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return new ByteRange(offset, null, false);
    }

    /// <summary>The last <paramref name="length"/> bytes (the whole value when it is shorter).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The length is negative.</exception>
    public static ByteRange Last(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new ByteRange(0, length, true);
    }

    /// <summary>
    /// The offset and length this range covers in a value of <paramref name="valueLength"/> bytes, clamped to its end.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range starts past the end of the value.</exception>
    public (long Offset, long Length) Resolve(long valueLength) => Resolve(valueLength, null, null);

    internal (long Offset, long Length) Resolve(long valueLength, string? storeName, string? key)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(valueLength);
        if (IsSuffix)
        {
            long n = Math.Min(Length!.Value, valueLength);
            return (valueLength - n, n);
        }

        if (Offset > valueLength)
        {
            string what = key is null ? "a value" : $"'{key}' in store '{storeName}'";
            throw new ArgumentOutOfRangeException("range", $"byte range {this} starts past the end of {what}, which is {valueLength} bytes long");
        }

        long rest = valueLength - Offset;
        return (Offset, Length is { } l ? Math.Min(l, rest) : rest);
    }

    /// <summary>The range for messages: <c>bytes [10, 20)</c>, <c>bytes [100, end)</c>, <c>the last 500 bytes</c>.</summary>
    public override string ToString() => IsSuffix
        ? string.Create(CultureInfo.InvariantCulture, $"the last {Length} bytes")
        : Length is { } l
            ? string.Create(CultureInfo.InvariantCulture, $"bytes [{Offset}, {Offset + l})")
            : string.Create(CultureInfo.InvariantCulture, $"bytes [{Offset}, end)");
}
