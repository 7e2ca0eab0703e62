using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ChunkCompute.Storage;
using Xunit;

namespace ChunkCompute.Tests.Fuzz;

/// <summary>
/// A small, deterministic, bounded mutation fuzzer. Each input is a seed document mutated by 1-4 seeded-random
/// mutations (bit flips, interesting bytes and integers, truncation, insertion, deletion, and for JSON token
/// replacements with huge, negative, fractional or mistyped values). The invariant for every input: the body returns
/// (a correct result, checked by the body) or throws an allowed exception (a <see cref="ChunkComputeException"/>
/// unless the target says otherwise); it never throws anything else, never runs past <see cref="Timeout"/>, and never
/// allocates more than the target's bound on its thread (<see cref="GC.GetAllocatedBytesForCurrentThread"/>).
/// </summary>
/// <remarks>
/// Iterations are fixed per target so CI runs take a few seconds each. Set <c>CHUNKCOMPUTE_FUZZ_SECONDS</c> to run
/// each target for that long instead, and <c>CHUNKCOMPUTE_FUZZ_SEED</c> to change the base seed. A failure prints the
/// target, the input's seed (base seed + iteration: rerun with that base seed and the same iteration) and the input as
/// base64.
/// </remarks>
internal static partial class Fuzzer
{
    /// <summary>Longest a single input may run (generous: the machine is shared).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF, 0x10, 0x20];

    private static readonly long[] InterestingIntegers =
    [
        0, 1, -1, 2, 16, 255, 256, 0x7F, 0x80, 0x7FFF, 0x8000, 0xFFFF, 0x10000, int.MaxValue, int.MinValue, 0x7FFFFFEF,
        uint.MaxValue, 1L << 32, long.MaxValue, long.MinValue, 1L << 62, 1L << 40,
    ];

    private static readonly string[] JsonReplacements =
    [
        "0", "-1", "1", "2", "5", "-5", "1.5", "-0", "1e308", "1e400", "-1e400", "2147483647", "2147483648", "-2147483649", "4294967296",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "18446744073709551615", "18446744073709551616",
        "99999999999999999999999999", "0.0", "1e-7", "null", "true", "false", "\"\"", "\"x\"", "\"array\"", "\"group\"",
        "\"<f8\"", "\"|b1\"", "\"float64\"", "\"bytes\"", "\"\\u0000\"", "[]", "[0]", "[-1]", "[1, 2]", "[[1]]", "{}",
        "{\"name\": 5}", "{\"name\": \"bytes\"}", "[null]", "\"NaN\"", "\"Infinity\"", "\"0x7ff8000000000000\"",
    ];

    /// <summary>The base seed (CHUNKCOMPUTE_FUZZ_SEED, default 13).</summary>
    public static int BaseSeed =>
        int.TryParse(Environment.GetEnvironmentVariable("CHUNKCOMPUTE_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 13;

    private static double? Seconds =>
        double.TryParse(Environment.GetEnvironmentVariable("CHUNKCOMPUTE_FUZZ_SECONDS"), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : null;

    /// <summary>
    /// Runs <paramref name="body"/> on <paramref name="iterations"/> mutated inputs (or for CHUNKCOMPUTE_FUZZ_SECONDS)
    /// and fails listing every distinct kind of invariant violation found, each with a reproducing input. Returns a
    /// summary: how many inputs were accepted and how many were refused with which exception.
    /// </summary>
    public static string Run(
        string target, IReadOnlyList<byte[]> seeds, Action<byte[]> body, int iterations, long allocationBound,
        bool json = false, Func<Exception, bool>? allowed = null, bool text = false)
    {
        Assert.NotEmpty(seeds);
        allowed ??= ex => ex is ChunkComputeException;
        var failures = new Dictionary<string, string>();
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        var seconds = Seconds;
        int baseSeed = BaseSeed;
        int count = 0;
        for (int i = 0; seconds is { } s ? clock.Elapsed.TotalSeconds < s : i < iterations; i++, count++)
        {
            int seed = unchecked(baseSeed + i);
            var rng = new Random(seed);
            var input = Mutate(seeds[rng.Next(seeds.Count)], rng, json, text);
            string? failure = RunOne(body, input, allocationBound, allowed, out string signature, out string outcome);
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            if (failure is not null && !failures.ContainsKey(signature) && failures.Count < 12)
            {
                failures[signature] = $"[{target}] seed {seed} (base {baseSeed}, iteration {i}): {failure}\n  input (base64, {input.Length} bytes): {Convert.ToBase64String(input)}";
                if (signature == "timeout")
                {
                    break; // the runaway input keeps a thread busy: stop here
                }
            }
        }

        string summary = $"[{target}] {count} inputs in {clock.Elapsed.TotalSeconds:F1} s: " + string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}"));
        Assert.True(failures.Count == 0, $"{failures.Count} kind(s) of failure in {count} inputs:\n" + string.Join("\n", failures.Values) + "\n" + summary);
        return summary;
    }

    private static string? RunOne(Action<byte[]> body, byte[] input, long allocationBound, Func<Exception, bool> allowed, out string signature, out string outcome)
    {
        long allocated = 0;
        Exception? thrown = null;
        var task = Task.Run(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                body(input);
            }
            catch (Exception ex)
            {
                thrown = ex;
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        if (!task.Wait(Timeout))
        {
            signature = outcome = "timeout";
            return $"did not finish within {Timeout.TotalSeconds} s";
        }

        outcome = thrown is null ? "ok" : thrown.GetType().Name;
        if (thrown is not null && !allowed(thrown))
        {
            var frame = thrown.StackTrace?.Split('\n').FirstOrDefault(l => l.Contains("ChunkCompute.", StringComparison.Ordinal))?.Trim() ?? "?";
            signature = thrown.GetType().Name + " " + frame;
            return $"{thrown.GetType().FullName}: {thrown.Message}\n{thrown.StackTrace}";
        }

        if (allocated > allocationBound)
        {
            signature = "allocation";
            return $"allocated {allocated} bytes, over the bound of {allocationBound} ({(thrown is null ? "returned" : "threw " + thrown.GetType().Name + ": " + thrown.Message)})";
        }

        signature = string.Empty;
        return null;
    }

    /// <summary>Applies 1-4 seeded-random mutations to a copy of <paramref name="seed"/>.</summary>
    public static byte[] Mutate(byte[] seed, Random rng, bool json, bool text = false)
    {
        var data = new List<byte>(seed);
        int n = 1 + rng.Next(json ? 3 : 4);
        for (int m = 0; m < n; m++)
        {
            // JSON documents mostly get token-level mutations: a broken byte mostly tests the JSON reader only.
            if (json && rng.Next(8) > 0)
            {
                data = [.. MutateJson(Encoding.UTF8.GetString(data.ToArray()), rng)];
                continue;
            }

            if (text && rng.Next(2) == 0)
            {
                MutateNumber(data, rng);
                continue;
            }

            MutateBytes(data, rng);
        }

        return data.ToArray();
    }

    // Replaces one run of ASCII digits (a number in a text header or a CSV field) with an extreme one.
    private static void MutateNumber(List<byte> data, Random rng)
    {
        var runs = new List<(int Start, int Length)>();
        for (int i = 0; i < data.Count; i++)
        {
            if (data[i] is >= (byte)'0' and <= (byte)'9')
            {
                int start = i;
                while (i < data.Count && data[i] is >= (byte)'0' and <= (byte)'9')
                {
                    i++;
                }

                runs.Add((start, i - start));
            }
        }

        if (runs.Count == 0)
        {
            MutateBytes(data, rng);
            return;
        }

        var (s, n) = runs[rng.Next(runs.Count)];
        string[] numbers = ["0", "-1", "2147483647", "2147483648", "4294967296", "9223372036854775807", "9223372036854775808", "18446744073709551616", "99999999999999999999999999999", "1e308", "1e400", "-0", "1.5", "0x10", "1_000"];
        data.RemoveRange(s, n);
        data.InsertRange(s, Encoding.ASCII.GetBytes(numbers[rng.Next(numbers.Length)]));
    }

    private static void MutateBytes(List<byte> data, Random rng)
    {
        int p = data.Count == 0 ? 0 : rng.Next(data.Count);
        switch (rng.Next(8))
        {
            case 0 when data.Count > 0:
                data[p] ^= (byte)(1 << rng.Next(8));
                break;
            case 1 when data.Count > 0:
                data[p] = InterestingBytes[rng.Next(InterestingBytes.Length)];
                break;
            case 2 when data.Count >= 4:
            {
                // An interesting little-endian integer over 4 or 8 bytes (header fields are little-endian u32/u64).
                long v = InterestingIntegers[rng.Next(InterestingIntegers.Length)];
                int width = rng.Next(2) == 0 || data.Count < 8 ? 4 : 8;
                p = rng.Next(data.Count - width + 1) & (rng.Next(2) == 0 ? ~3 : ~0);
                for (int k = 0; k < width; k++)
                {
                    data[p + k] = (byte)(v >> (8 * k));
                }

                break;
            }

            case 3:
                data.RemoveRange(p, data.Count - p); // truncation
                break;
            case 4:
            {
                int len = 1 + rng.Next(16);
                var bytes = new byte[len];
                rng.NextBytes(bytes);
                data.InsertRange(p, bytes);
                break;
            }

            case 5 when data.Count > 0:
                data.RemoveRange(p, Math.Min(data.Count - p, 1 + rng.Next(16)));
                break;
            case 6 when data.Count > 0:
            {
                // Duplicate a slice (repeats structure: blocks, table entries).
                int len = Math.Min(data.Count - p, 1 + rng.Next(64));
                data.InsertRange(rng.Next(data.Count + 1), data.GetRange(p, len));
                break;
            }

            default:
                if (data.Count > 0)
                {
                    data[p] = (byte)rng.Next(256);
                }

                break;
        }
    }

    [GeneratedRegex("-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?|\"(?:[^\"\\\\]|\\\\.)*\"|\\btrue\\b|\\bfalse\\b|\\bnull\\b|\\[\\s*\\]|\\{\\s*\\}")]
    private static partial Regex JsonToken();

    // Replaces one JSON token (a number, string, literal or empty container) with a mistyped or extreme value, or
    // drops/duplicates a member.
    private static byte[] MutateJson(string text, Random rng)
    {
        var tokens = JsonToken().Matches(text);
        if (tokens.Count == 0)
        {
            return Encoding.UTF8.GetBytes(text);
        }

        var t = tokens[rng.Next(tokens.Count)];
        string replacement = rng.Next(6) switch
        {
            0 when t.Value.StartsWith('"') => "\"" + new string('x', rng.Next(3)) + t.Value[1..], // renamed key or value
            1 => t.Value + ", " + t.Value, // an extra list element or a duplicate-ish member
            _ => JsonReplacements[rng.Next(JsonReplacements.Length)],
        };
        return Encoding.UTF8.GetBytes(text[..t.Index] + replacement + text[(t.Index + t.Length)..]);
    }
}
