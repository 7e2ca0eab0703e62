using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ChunkCompute.Storage;

namespace ChunkCompute.Bench;

/// <summary>
/// Benchmark runner. Each command does one measured operation and prints one JSON line:
/// <c>{"case":…,"tool":"chunkcompute","seconds":…,"bytes":…,"checksum":…}</c>.
/// Only the operation is timed: process start, JIT of the entry point and opening the store are not.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            return Usage("no command");
        }

        try
        {
            var options = ParseOptions(args.AsSpan(1));
            return args[0] switch
            {
                "read" => Read(options),
                _ => Usage($"unknown command '{args[0]}'"),
            };
        }
        catch (ArgumentException e)
        {
            return Usage(e.Message);
        }
    }

    /// <summary>Reads a whole float64 array into memory with <c>ZarrArray&lt;double&gt;.Read()</c>.</summary>
    private static int Read(Dictionary<string, string> options)
    {
        string store = Require(options, "store");
        string array = Require(options, "array");
        string caseName = options.GetValueOrDefault("case", "read");

        using var zarr = ZarrStore.OpenExisting(store);
        var z = zarr.OpenArray<double>(array);

        var stopwatch = Stopwatch.StartNew();
        double[] values = z.Read();
        stopwatch.Stop();

        Emit(caseName, stopwatch.Elapsed.TotalSeconds, (long)values.Length * sizeof(double), Checksum(values));
        return 0;
    }

    /// <summary>Neumaier-compensated sum, so it agrees with NumPy's pairwise sum far below the 1e-6 the harness checks.</summary>
    private static double Checksum(ReadOnlySpan<double> values)
    {
        double sum = 0, compensation = 0;
        foreach (double v in values)
        {
            double t = sum + v;
            compensation += Math.Abs(sum) >= Math.Abs(v) ? (sum - t) + v : (v - t) + sum;
            sum = t;
        }

        return sum + compensation;
    }

    private static void Emit(string caseName, double seconds, long bytes, double checksum)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var json = new Utf8JsonWriter(stdout))
        {
            json.WriteStartObject();
            json.WriteString("case", caseName);
            json.WriteString("tool", "chunkcompute");
            json.WriteNumber("seconds", seconds);
            json.WriteNumber("bytes", bytes);
            json.WriteNumber("checksum", checksum);
            json.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
    }

    private static Dictionary<string, string> ParseOptions(ReadOnlySpan<string> args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected '--name value', got '{arg}'");
            }

            options[arg[2..]] = args[++i];
        }

        return options;
    }

    private static string Require(Dictionary<string, string> options, string name) =>
        options.TryGetValue(name, out string? value) ? value : throw new ArgumentException($"--{name} is required");

    private static int Usage(string error)
    {
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ChunkCompute.Bench: {error}"));
        Console.Error.WriteLine("usage: ChunkCompute.Bench read --store DIR --array PATH [--case NAME]");
        return 2;
    }
}
