using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using ChunkCompute.Dashboard;
using ChunkCompute.Scheduler;
using ChunkCompute.Tests.Cli;
using Xunit;

namespace ChunkCompute.Tests.Dashboard;

/// <summary>The recorder, the report and the server without a browser: what they record, what they serve, how they fail.</summary>
public sealed partial class DashboardRecorderTests
{
    [Fact]
    public void Recorder_MeanOverStore_RecordsEveryTaskOperationAndSampleUnderBudget()
    {
        var (store, values) = DashboardTestData.Store(1 << 16, 1 << 10);
        using var _ = store;
        using var recorder = new ComputeRecorder("mean");
        const long Budget = 1L << 20;
        var options = new ComputeOptions { MemoryBudget = Budget, Observer = recorder };
        var mean = DashboardTestData.Mean(store);
        int operations = DashboardTestData.Operations(mean, options);

        var result = mean.Compute(options);

        Assert.Equal(values.Average(), result.Value, 1e-9);
        var doc = JsonDocument.Parse(recorder.ToJson()).RootElement;
        var run = Assert.Single(doc.GetProperty("runs").EnumerateArray());
        Assert.True(run.GetProperty("completed").GetBoolean());
        Assert.Equal(result.Statistics.Tasks, run.GetProperty("tasksTotal").GetInt64());
        Assert.Equal(result.Statistics.Tasks, run.GetProperty("tasksDone").GetInt64());
        Assert.Equal(result.Statistics.PeakMemoryBytes, run.GetProperty("peak").GetInt64());
        Assert.Equal(values.Length * sizeof(double), run.GetProperty("read").GetInt64());
        var ops = run.GetProperty("operations").EnumerateArray().ToList();
        Assert.Equal(operations, ops.Count);
        Assert.Equal(result.Statistics.Tasks, ops.Sum(o => o.GetProperty("tasks").GetInt64()));
        Assert.All(ops, o => Assert.Equal(o.GetProperty("tasks").GetInt64(), o.GetProperty("done").GetInt64()));
        Assert.Equal(result.Statistics.Tasks, doc.GetProperty("tasks").GetArrayLength());
        var samples = doc.GetProperty("samples").EnumerateArray().ToList();
        Assert.True(samples.Count >= 2, "a sample when the run starts and one when it ends");
        Assert.All(samples, s => Assert.InRange(s[1].GetInt64(), 0, Budget));
        Assert.Equal(values.Length * sizeof(double), samples[^1][4].GetInt64());
    }

    [Fact]
    public void Report_IsOneSelfContainedFile_NoNetworkReference()
    {
        var (store, _) = DashboardTestData.Store(1 << 12, 1 << 8);
        using var __ = store;
        using var recorder = new ComputeRecorder("report");
        DashboardTestData.Mean(store).Compute(new ComputeOptions { Observer = recorder });
        string path = Path.Combine(Path.GetTempPath(), $"cc-report-{Guid.NewGuid():N}.html");
        try
        {
            recorder.WriteReport(path);
            string html = File.ReadAllText(path);
            Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
            Assert.DoesNotMatch(NetworkReference(), html);
            Assert.DoesNotContain("/*CC-DATA*/null", html, StringComparison.Ordinal);
            Assert.Contains("\"tasksDone\":", html, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Observer_Unset_ComputesTheSame()
    {
        var (store, values) = DashboardTestData.Store(1 << 12, 1 << 8);
        using var _ = store;
        using var recorder = new ComputeRecorder();
        double off = DashboardTestData.Mean(store).ComputeScalar(new ComputeOptions());
        double on = DashboardTestData.Mean(store).ComputeScalar(new ComputeOptions { Observer = recorder });
        Assert.Equal(off, on);
        Assert.Equal(values.Average(), off, 1e-9);
    }

    [Fact]
    public async Task Dashboard_IsReadOnly_ServesPageDataAndEventsOnly()
    {
        var token = TestContext.Current.CancellationToken;
        await using var dashboard = await ComputeDashboard.StartAsync(0, cancellationToken: token);
        Assert.Equal("127.0.0.1", dashboard.Address.Host);
        using var http = new HttpClient { BaseAddress = dashboard.Address, Timeout = TimeSpan.FromSeconds(10) };
        var page = await http.GetStringAsync("/", token);
        Assert.Contains("ChunkCompute", page, StringComparison.Ordinal);
        Assert.DoesNotMatch(NetworkReference(), page);
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(await http.GetStringAsync("/data.json", token)).RootElement.GetProperty("runs").ValueKind);
        using (var post = await http.PostAsync("/", new StringContent("x"), token))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        }

        using (var delete = await http.DeleteAsync("/data.json", token))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, delete.StatusCode);
        }

        using var missing = await http.GetAsync("/shutdown", token);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        // The event stream's first message is the state so far.
        using var events = await http.GetAsync("/events", HttpCompletionOption.ResponseHeadersRead, token);
        Assert.Equal("text/event-stream", events.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync(token));
        string? line = await reader.ReadLineAsync(token);
        Assert.StartsWith("data: {", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_PortInUse_FailsAtStartNamingThePort()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        int port = ((IPEndPoint)occupant.LocalEndpoint).Port;
        var ex = await Assert.ThrowsAsync<DashboardException>(() => ComputeDashboard.StartAsync(port, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(port, ex.Port);
        Assert.Contains($"port {port} is in use", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cli_DashboardPortInUse_ErrorBeforeTheComputationStarts()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"cc-dash-{Guid.NewGuid():N}");
        try
        {
            DashboardTestData.DirectoryStore(Path.Combine(dir, "s.zarr"), 4096, 256);
            using var occupant = new TcpListener(IPAddress.Loopback, 0);
            occupant.Start();
            int port = ((IPEndPoint)occupant.LocalEndpoint).Port;
            string report = Path.Combine(dir, "run.html");
            var result = CliHarness.ExpectError($"port {port}", "stats", Path.Combine(dir, "s.zarr"), "--array", "x", "--op", "mean", "--json", "--dashboard", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--report", report);
            Assert.Equal(string.Empty, result.Stdout);
            Assert.False(File.Exists(report), "nothing ran, so nothing was reported");
            CliHarness.Expect(2, "stats", Path.Combine(dir, "s.zarr"), "--array", "x", "--op", "mean", "--dashboard", "not-a-port");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Cli_ImportExportConvertReports_RecordTheirWork()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"cc-dash-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(dir);
            string input = Path.Combine(dir, "m.npy"), store = Path.Combine(dir, "s.zarr");
            CliHarness.SaveMatrix(input, 40, 6);
            JsonElement Report(string name)
            {
                string html = File.ReadAllText(Path.Combine(dir, name));
                Assert.DoesNotMatch(NetworkReference(), html);
                var match = Regex.Match(html, """<script id="cc-data" type="application/json">(.*?)</script>""", RegexOptions.Singleline);
                Assert.True(match.Success, "no inline data in " + name);
                return JsonDocument.Parse(match.Groups[1].Value).RootElement;
            }

            // import and export copy blocks themselves: one progress run each, complete.
            CliHarness.Expect(0, "import", input, store, "--array", "m", "--chunks", "8,6", "--report", Path.Combine(dir, "import.html"), "-q");
            var import = Assert.Single(Report("import.html").GetProperty("runs").EnumerateArray());
            Assert.Equal("progress", import.GetProperty("kind").GetString());
            Assert.True(import.GetProperty("finished").GetBoolean());
            Assert.Equal(import.GetProperty("tasksTotal").GetInt64(), import.GetProperty("tasksDone").GetInt64());
            Assert.Equal(40 * 6 * sizeof(int), import.GetProperty("written").GetInt64());
            CliHarness.Expect(0, "export", store, Path.Combine(dir, "out.npy"), "--array", "m", "--report", Path.Combine(dir, "export.html"), "-q");
            Assert.True(Assert.Single(Report("export.html").GetProperty("runs").EnumerateArray()).GetProperty("finished").GetBoolean());

            // convert runs on the engine: its run, operations and tasks, every one done.
            var convert = CliHarness.Expect(0, "convert", store, Path.Combine(dir, "t.zarr"), "--array", "m", "--chunks", "20,3", "--json", "--report", Path.Combine(dir, "convert.html"));
            var json = JsonDocument.Parse(convert.Stdout).RootElement;
            var runs = Report("convert.html").GetProperty("runs").EnumerateArray().Where(r => r.GetProperty("kind").GetString() == "engine").ToList();
            Assert.NotEmpty(runs);
            Assert.All(runs, r => Assert.Equal(r.GetProperty("tasksTotal").GetInt64(), r.GetProperty("tasksDone").GetInt64()));
            Assert.Equal(json.GetProperty("peak_memory_bytes").GetInt64(), runs[^1].GetProperty("peak").GetInt64());
            Assert.Equal(json.GetProperty("bytes_written").GetInt64(), runs.Sum(r => r.GetProperty("written").GetInt64()));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // A script, style, image or link the page would fetch from a network address.
    [GeneratedRegex("""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//|@import|<link\b|url\(\s*["']?(?:https?:)?//""", RegexOptions.IgnoreCase)]
    private static partial Regex NetworkReference();
}
