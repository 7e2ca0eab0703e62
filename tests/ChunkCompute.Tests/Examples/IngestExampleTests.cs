using System.Globalization;
using System.Text.RegularExpressions;
using ChunkCompute.Examples.Ingest;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Examples;

/// <summary>The Ingest example (commit, abort, snapshots, resize, a second process), checked against closed forms.</summary>
public sealed partial class ExamplesTests
{
    [Fact]
    public void Ingest_PrintsEachStepsVersionShapeAndSum()
    {
        using var tmp = new TempDirectory("cc-example-ingest");
        string output = RunExample(IngestExample.Run, tmp.Combine("ingest.zarr"));
        const int C = IngestExample.Columns;
        const int B = IngestExample.BlockRows;

        // Every appended value is its flat index, so the sum of rows [a, b) is the sum of the integers [a C, b C).
        static double Rows(long a, long b) => (b - a) * C * ((a * C) + (b * C) - 1) / 2.0;

        long created = Version(output, @"^created x: shape \[0, 4\], chunks \[500, 4\], fill -1, version (\d+)$");
        Assert.Matches(new Regex(@"^in a transaction: x has shape \[3000, 4\]; the store still reads \[0, 4\]$", RegexOptions.Multiline), output);

        var commit = Step(output, "commit: version");
        Assert.Equal((created + 1, 3 * B, Rows(0, 3 * B)), commit);

        var abort = Step(output, "abort: version");
        Assert.Equal(commit, abort);
        Assert.Contains("scratch exists: False", output, StringComparison.Ordinal);

        var written = Step(output, "writer appended: version", withSum: false);
        Assert.Equal((commit.Version + 1, 4 * B), (written.Version, written.Rows));
        Assert.Equal(commit, Step(output, "reader snapshot: version"));
        Assert.Equal((written.Version, 4 * B, Rows(0, 4 * B)), Step(output, "reader after Refresh: version"));

        var shrink = Step(output, "shrink: version");
        Assert.Equal((written.Version + 1, IngestExample.ShrunkRows, Rows(0, IngestExample.ShrunkRows)), shrink);

        // Growing back: the rows between the shrunk and grown shapes read the fill value (-1), not the old data.
        var grow = Step(output, "grow: version");
        double fillSum = IngestExample.FillValue * (IngestExample.GrownRows - IngestExample.ShrunkRows) * C;
        Assert.Equal((shrink.Version + 1, IngestExample.GrownRows, Rows(0, IngestExample.ShrunkRows) + fillSum), grow);
        Assert.Contains($"rows {IngestExample.ShrunkRows}..{IngestExample.GrownRows} read min -1 max -1", output, StringComparison.Ordinal);

        // The second process is another process, reads the grown array's committed version and appends one block.
        var child = ChildLine().Match(output);
        Assert.True(child.Success, output);
        Assert.NotEqual(Environment.ProcessId, int.Parse(child.Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.Equal(grow, Step(output, "new process: pid \\d+, version"));
        Assert.Contains($"new process appended rows {IngestExample.GrownRows}..{IngestExample.GrownRows + B}: version {grow.Version + 1}", output, StringComparison.Ordinal);

        double final = Rows(0, IngestExample.ShrunkRows) + fillSum + Rows(IngestExample.GrownRows, IngestExample.GrownRows + B);
        Assert.Equal((grow.Version + 1, IngestExample.GrownRows + B, final), Step(output, "after Refresh: version"));

        Assert.Matches(new Regex(@"^verify: sound, 1 array\(s\), \d+ chunks", RegexOptions.Multiline), output);

        // Chunks of 500 rows: the 4000-row array had chunks 0..7; growing to 2500 cleared 2..4, the child's append
        // rewrote 5 and 6, so only chunk 7 (rows 3500..4000) is left beyond the 3500-row shape for the collector.
        Assert.Contains("garbage collection: 1 chunk(s) beyond the shape", output, StringComparison.Ordinal);
        var afterGc = Step(output, "after gc: version");
        Assert.Equal((IngestExample.GrownRows + B, final), (afterGc.Rows, afterGc.Sum));
    }

    private static long Version(string output, string pattern)
    {
        var m = Regex.Match(output, pattern, RegexOptions.Multiline);
        Assert.True(m.Success, $"no line matching {pattern} in\n{output}");
        return long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    // "<prefix> V, x shape [R, 4], sum S" → (V, R, S); without a sum, S is 0.
    private static (long Version, long Rows, double Sum) Step(string output, string prefix, bool withSum = true)
    {
        string pattern = "^" + prefix + @" (\d+), x shape \[(\d+), 4\]" + (withSum ? @", sum (-?[0-9][0-9.eE+-]*)" : string.Empty);
        var m = Regex.Match(output, pattern, RegexOptions.Multiline);
        Assert.True(m.Success, $"no line matching {pattern} in\n{output}");
        return (long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
                long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
                withSum ? double.Parse(m.Groups[3].Value, NumberStyles.Float, CultureInfo.InvariantCulture) : 0);
    }

    [GeneratedRegex(@"^new process: pid (\d+), version", RegexOptions.Multiline)]
    private static partial Regex ChildLine();
}
