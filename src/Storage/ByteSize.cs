using System.Globalization;

namespace ChunkCompute.Storage;

/// <summary>Formats byte counts for people: <c>512 B</c>, <c>1.5 KiB</c>, <c>16 MiB</c>, <c>2.25 GiB</c> (binary units).</summary>
public static class ByteSize
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

    /// <summary>
    /// The size in the largest unit that keeps the number at least 1, with up to two decimals; with
    /// <paramref name="exact"/>, the exact byte count follows in parentheses (for error messages).
    /// </summary>
    public static string Format(long bytes, bool exact = false)
    {
        double v = bytes;
        int u = 0;
        while (Math.Abs(v) >= 1024 && u < Units.Length - 1)
        {
            v /= 1024;
            u++;
        }

        string text = u == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
            : v.ToString("0.##", CultureInfo.InvariantCulture) + " " + Units[u];
        return exact && u > 0 ? string.Create(CultureInfo.InvariantCulture, $"{text} ({bytes} B)") : text;
    }
}
