namespace ChunkCompute.Storage.Npy;

/// <summary>A parsed, supported NumPy scalar descr: kind (<c>b</c>, <c>i</c>, <c>u</c>, <c>f</c>), size and byte order.</summary>
internal readonly record struct NpyDataType(char Kind, int ElementSize, bool IsLittleEndian)
{
    /// <summary>The little-endian form, e.g. <c>&lt;f8</c>, <c>|u1</c>, <c>|b1</c>.</summary>
    public string NormalizedDescr => Format(bigEndian: false);

    /// <summary>The descr as NumPy writes it for the given byte order (<c>|</c> for one-byte types).</summary>
    public string Format(bool bigEndian)
    {
        var order = ElementSize == 1 ? '|' : bigEndian ? '>' : '<';
        return $"{order}{Kind}{ElementSize}";
    }

    /// <summary>Parses <paramref name="descr"/>; returns false with a reason when it is not a supported dtype.</summary>
    public static bool TryParse(string descr, out NpyDataType type, out string reason)
    {
        type = default;
        var s = descr;
        var little = true;
        if (s.Length > 0 && s[0] is '<' or '>' or '|' or '=')
        {
            little = s[0] != '>';
            s = s[1..];
        }

        if (s.Length < 2 || !int.TryParse(s.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size))
        {
            reason = $"unsupported dtype '{descr}' (supported: b1, i1, i2, i4, i8, u1, u2, u4, u8, f2, f4, f8)";
            return false;
        }

        var kind = s[0];
        var ok = kind switch
        {
            'b' => size == 1,
            'i' or 'u' => size is 1 or 2 or 4 or 8,
            'f' => size is 2 or 4 or 8,
            _ => false,
        };
        if (!ok)
        {
            reason = $"unsupported dtype '{descr}' (supported: b1, i1, i2, i4, i8, u1, u2, u4, u8, f2, f4, f8)";
            return false;
        }

        // '|' means "not applicable"; NumPy accepts it only for one-byte types, but it is harmless to read as native.
        type = new NpyDataType(kind, size, little || size == 1);
        reason = string.Empty;
        return true;
    }

    /// <summary>The descr NumPy uses for the .NET element type <typeparamref name="T"/>, or null when there is none.</summary>
    public static string? DescrFor<T>()
        where T : unmanaged
    {
        var t = typeof(T);
        return t == typeof(bool) ? "|b1"
            : t == typeof(sbyte) ? "|i1"
            : t == typeof(byte) ? "|u1"
            : t == typeof(short) ? "<i2"
            : t == typeof(ushort) ? "<u2"
            : t == typeof(int) ? "<i4"
            : t == typeof(uint) ? "<u4"
            : t == typeof(long) ? "<i8"
            : t == typeof(ulong) ? "<u8"
            : t == typeof(Half) ? "<f2"
            : t == typeof(float) ? "<f4"
            : t == typeof(double) ? "<f8"
            : null;
    }
}
