using System.Globalization;

namespace ChunkCompute.Ops;

/// <summary>
/// One entry of a NumPy basic index: a slice <c>start:stop:step</c> (any part may be omitted), an integer index that
/// drops its dimension, or an ellipsis (<c>...</c>) standing for as many whole dimensions as needed.
/// </summary>
public readonly record struct SliceSpec
{
    private SliceSpec(SliceSpecKind kind, long? start, long? stop, long? step)
    {
        Kind = kind;
        Start = start;
        Stop = stop;
        Step = step;
    }

    /// <summary>What this entry is.</summary>
    public SliceSpecKind Kind { get; }

    /// <summary>The slice start, or the index of <see cref="SliceSpecKind.Index"/>; null for the default.</summary>
    public long? Start { get; }

    /// <summary>The slice stop (exclusive); null for the default.</summary>
    public long? Stop { get; }

    /// <summary>The slice step; null for 1.</summary>
    public long? Step { get; }

    /// <summary>The whole dimension (<c>:</c>).</summary>
    public static SliceSpec All => new(SliceSpecKind.Slice, null, null, null);

    /// <summary>The ellipsis (<c>...</c>).</summary>
    public static SliceSpec Ellipsis => new(SliceSpecKind.Ellipsis, null, null, null);

    /// <summary>A slice <c>start:stop:step</c>; null parts take NumPy's defaults.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The step is zero.</exception>
    public static SliceSpec Range(long? start, long? stop, long? step = null)
    {
        if (step == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(step), "slice step cannot be zero");
        }

        return new(SliceSpecKind.Slice, start, stop, step);
    }

    /// <summary>An integer index (negative counts from the end); the dimension is dropped.</summary>
    public static SliceSpec At(long index) => new(SliceSpecKind.Index, index, null, null);

    /// <summary>An integer index.</summary>
    public static implicit operator SliceSpec(long index) => At(index);

    /// <summary>An integer index.</summary>
    public static SliceSpec FromInt64(long index) => At(index);

    /// <summary>
    /// Parses a comma-separated NumPy index such as <c>"0:100, ::2, -1, ..."</c>. Whitespace is ignored; an empty
    /// string selects everything.
    /// </summary>
    /// <exception cref="FormatException">The text is not a basic index.</exception>
    public static SliceSpec[] Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var parts = text.Split(',');
        var result = new SliceSpec[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            string p = parts[i].Trim();
            if (p is "..." or "…")
            {
                result[i] = Ellipsis;
                continue;
            }

            if (!p.Contains(':', StringComparison.Ordinal))
            {
                result[i] = At(ParseInt(p, text));
                continue;
            }

            var f = p.Split(':');
            if (f.Length > 3)
            {
                throw new FormatException($"'{p}' in index '{text}' has more than two colons");
            }

            long? start = ParseOptional(f[0], text);
            long? stop = ParseOptional(f[1], text);
            long? step = f.Length == 3 ? ParseOptional(f[2], text) : null;
            if (step == 0)
            {
                throw new FormatException($"slice step cannot be zero in index '{text}'");
            }

            result[i] = new(SliceSpecKind.Slice, start, stop, step);
        }

        return result;
    }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        SliceSpecKind.Index => Start!.Value.ToString(CultureInfo.InvariantCulture),
        SliceSpecKind.Ellipsis => "...",
        _ => $"{Format(Start)}:{Format(Stop)}{(Step is null ? string.Empty : ":" + Format(Step))}",
    };

    private static string Format(long? v) => v?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;

    private static long? ParseOptional(string s, string text) => string.IsNullOrWhiteSpace(s) ? null : ParseInt(s.Trim(), text);

    private static long ParseInt(string s, string text) =>
        long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v)
            ? v
            : throw new FormatException($"'{s}' in index '{text}' is not an integer, a slice or '...'");
}
