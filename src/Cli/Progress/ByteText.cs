using System.Globalization;

namespace ChunkCompute.Cli.Progress;

/// <summary>Byte counts for people: <c>512 B</c>, <c>1.5 MiB</c>.</summary>
internal static class ByteText
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB"];

    /// <summary>Formats <paramref name="bytes"/> with a binary unit.</summary>
    public static string Format(long bytes)
    {
        double v = bytes;
        int u = 0;
        while (Math.Abs(v) >= 1024 && u < Units.Length - 1)
        {
            v /= 1024;
            u++;
        }

        return u == 0 ? $"{bytes} B" : v.ToString("0.0", CultureInfo.InvariantCulture) + " " + Units[u];
    }
}
