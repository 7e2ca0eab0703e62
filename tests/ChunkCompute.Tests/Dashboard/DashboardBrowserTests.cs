using System.Globalization;
using System.Text.Json;
using ChunkCompute.Dashboard;
using ChunkCompute.Scheduler;
using ChunkCompute.Tests.Cli;
using OpenQA.Selenium.Chromium;
using Xunit;

namespace ChunkCompute.Tests.Dashboard;

/// <summary>
/// The dashboard and the report in a real browser (headless chromium through chromedriver): the live page against a
/// running computation, and the report of a CLI run opened with networking off. Screenshots of both are written to
/// artifacts/dashboard under the test output folder.
/// </summary>
public sealed class DashboardBrowserTests
{
    [Fact]
    public async Task LivePage_DuringAMean_CounterRisesMemoryUnderBudgetPlanHasOneNodePerOperation_ClosingTheBrowserLeavesTheResult()
    {
        var token = TestContext.Current.CancellationToken;
        using var browser = HeadlessChromium.Start();
        var (store, values) = DashboardTestData.Store(1 << 20, 1 << 8); // 4096 chunks
        using var _ = store;
        await using var dashboard = await ComputeDashboard.StartAsync(0, cancellationToken: token);
        const long Budget = 2L << 20;
        var paced = new PacedObserver(dashboard, TimeSpan.FromMilliseconds(3)); // ≥ 16 s for the checks, then released
        var options = new ComputeOptions
        {
            MemoryBudget = Budget,
            MaxDegreeOfParallelism = 1, // the other core draws the page
            Observer = paced,
        };
        var mean = DashboardTestData.Mean(store);
        int operations = DashboardTestData.Operations(mean, options);
        var computation = Task.Run(() => mean.ComputeScalar(options, token), token);

        browser.Driver.Navigate().GoToUrl(dashboard.Address);
        long Done() => browser.Eval<long>("return Number(document.getElementById('tasks-done').getAttribute('data-value'))");
        if (!HeadlessChromium.WaitFor(() => Done() > 0, TimeSpan.FromSeconds(20)))
        {
            browser.Screenshot("live-dashboard-failed");
            Assert.Fail("the task counter never left 0; page state: " + browser.Eval<string>("return JSON.stringify({ messages: window.ccDashboard && window.ccDashboard.state.messages, runs: window.ccDashboard && window.ccDashboard.state.runs.length, rendered: document.body.getAttribute('data-rendered'), status: document.getElementById('status').textContent, done: document.getElementById('tasks-done').textContent })"));
        }

        long first = Done();
        Assert.True(HeadlessChromium.WaitFor(() => Done() > first, TimeSpan.FromSeconds(10)), $"the task counter stayed at {first}");
        Assert.False(computation.IsCompleted, "the computation should still be running while the page is checked");

        // Memory: the reserved line stays under the budget line, both drawn from the streamed samples.
        Assert.True(HeadlessChromium.WaitFor(() => browser.Eval<long>("return document.querySelectorAll('#memory-line')[0].points.numberOfItems") >= 3, TimeSpan.FromSeconds(10)), "the memory line has no points");
        long budgetLine = browser.Eval<long>("return Number(document.getElementById('memory-chart').getAttribute('data-budget-bytes'))");
        long reservedMax = browser.Eval<long>("return Number(document.getElementById('memory-chart').getAttribute('data-max-reserved-bytes'))");
        Assert.Equal(Budget, budgetLine);
        Assert.InRange(reservedMax, 1, budgetLine);
        Assert.True(browser.Eval<bool>("""
            var m = document.getElementById('memory-line').points, b = document.getElementById('budget-line').points;
            var top = b.getItem(0).y; // SVG y grows downwards: under the budget line means a larger y
            for (var i = 0; i < m.numberOfItems; i++) { if (m.getItem(i).y < top - 0.01) { return false; } }
            return b.numberOfItems > 0;
            """), "a point of the memory line is drawn above the budget line");

        // The plan: one SVG node per operation of the plan, each with its task count.
        Assert.Equal(operations, browser.Eval<long>("return document.querySelectorAll('#plan svg.plan-run g.plan-node').length"));
        long drawnTasks = browser.Eval<long>("return Array.from(document.querySelectorAll('#plan g.plan-node')).reduce(function (s, g) { return s + Number(g.getAttribute('data-tasks')); }, 0)");
        Assert.Equal(ExecutionPlan.Create([mean.Node], options).Order.Count, drawnTasks);

        // The task stream: bars on lanes, a chunk index on each bar's hover text.
        Assert.True(browser.Eval<long>("return document.querySelectorAll('#task-stream rect.task').length") > 0);
        Assert.Contains("chunk (", browser.Eval<string>("return document.querySelector('#task-stream rect.task').getAttribute('data-tip')"), StringComparison.Ordinal);
        browser.Screenshot("live-dashboard");

        // Closing the browser mid-run does not disturb the computation.
        browser.Dispose();
        Assert.False(computation.IsCompleted, "the computation should outlive the browser");
        paced.Release();
        double result = await computation;
        Assert.Equal(values.Average(), result, 1e-9);
        Assert.Equal(ExecutionPlan.Create([mean.Node], options).Order.Count, dashboard.Recorder.TasksDone);
    }

    [Fact]
    public void Report_OfACliRun_OpensOfflineWithTheCliJsonTotals()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"cc-report-{Guid.NewGuid():N}");
        try
        {
            using var browser = HeadlessChromium.Start();
            var values = DashboardTestData.DirectoryStore(Path.Combine(dir, "s.zarr"), 1 << 16, 1 << 10);
            string report = Path.Combine(dir, "run.html");
            var run = CliHarness.Expect(0, "stats", Path.Combine(dir, "s.zarr"), "--array", "x", "--op", "mean", "--json", "--memory", "4MiB", "--report", report);
            var json = JsonDocument.Parse(run.Stdout).RootElement;
            Assert.Equal(values.Average(), json.GetProperty("value").GetDouble(), 1e-9);
            Assert.True(File.Exists(report), "no report at " + report + ": " + run);

            // Networking off for the page (DevTools emulation), opened from file://.
            browser.Driver.NetworkConditions = new ChromiumNetworkConditions { IsOffline = true, Latency = TimeSpan.FromMilliseconds(5), DownloadThroughput = 0, UploadThroughput = 0 };
            browser.Driver.Navigate().GoToUrl(new Uri(report).AbsoluteUri);
            Assert.True(HeadlessChromium.WaitFor(() => browser.Eval<long>("return Number(document.body.getAttribute('data-rendered') || 0)") > 0, TimeSpan.FromSeconds(10)), "the report did not draw");
            Assert.Equal("finished", browser.Eval<string>("return document.getElementById('status').textContent"));
            Assert.Equal(json.GetProperty("peak_memory_bytes").GetInt64(), browser.Eval<long>("return Number(document.getElementById('total-peak').getAttribute('data-bytes'))"));
            Assert.Equal(4L << 20, browser.Eval<long>("return Number(document.getElementById('total-budget').getAttribute('data-bytes'))"));
            Assert.Equal(values.Length * sizeof(double), browser.Eval<long>("return Number(document.getElementById('total-read').getAttribute('data-bytes'))"));
            long done = browser.Eval<long>("return Number(document.getElementById('tasks-done').getAttribute('data-value'))");
            Assert.True(done > 0);
            Assert.Equal(done.ToString(CultureInfo.InvariantCulture), browser.Eval<string>("return document.getElementById('tasks-total').textContent"));
            double seconds = browser.Eval<double>("return Number(document.getElementById('total-seconds').getAttribute('data-value'))");
            Assert.InRange(seconds, 0, json.GetProperty("seconds").GetDouble());
            Assert.True(browser.Eval<long>("return document.querySelectorAll('#plan g.plan-node').length") >= 2);
            Assert.Equal(0, browser.Eval<long>("return performance.getEntriesByType('resource').length"));
            browser.Screenshot("report");
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
