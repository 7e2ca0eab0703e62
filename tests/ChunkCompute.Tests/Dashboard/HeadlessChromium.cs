using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using Xunit;

namespace ChunkCompute.Tests.Dashboard;

/// <summary>
/// Debian's headless chromium driven through its chromedriver by Selenium (nothing downloaded: both paths are given,
/// so Selenium Manager never runs). Host names resolve to nothing, so the browser can reach 127.0.0.1 and no other
/// host. Tests skip, naming what is missing, where chromium or chromium-driver is not installed (.ci/run installs them).
/// </summary>
internal sealed class HeadlessChromium : IDisposable
{
    private static readonly string[] BrowserNames = ["chromium", "chromium-browser"];

    private int _disposed;

    private HeadlessChromium(ChromeDriver driver) => Driver = driver;

    public ChromeDriver Driver { get; }

    /// <summary>Where screenshots go: artifacts/dashboard under the test output folder.</summary>
    public static string ArtifactsDirectory => Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts", "dashboard")).FullName;

    /// <summary>Starts a browser, or skips the test when chromium or chromedriver is missing.</summary>
    public static HeadlessChromium Start()
    {
        string? browser = BrowserNames.Select(Find).FirstOrDefault(p => p is not null);
        string? driverPath = Find("chromedriver");
        Assert.SkipWhen(browser is null || driverPath is null,
            $"the browser tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver); missing: {string.Join(", ", new[] { browser is null ? "chromium" : null, driverPath is null ? "chromedriver" : null }.OfType<string>())}");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(driverPath)!, Path.GetFileName(driverPath));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = browser };
        options.AddArguments(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1300,1500",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-domain-reliability",
            "--no-pings", "--disable-client-side-phishing-detection", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1");
        return new HeadlessChromium(new ChromeDriver(service, options, TimeSpan.FromSeconds(60)));
    }

    /// <summary>Writes a screenshot of the page to the artifacts folder and returns its path.</summary>
    public string Screenshot(string name)
    {
        string path = Path.Combine(ArtifactsDirectory, name + ".png");
        Driver.GetScreenshot().SaveAsFile(path);
        return path;
    }

    /// <summary>Evaluates <paramref name="script"/> (a <c>return …</c>) in the page.</summary>
    public T Eval<T>(string script) => (T)Convert.ChangeType(Driver.ExecuteScript(script)!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Polls <paramref name="condition"/> every 50 ms until it holds or <paramref name="timeout"/> passes.</summary>
    public static bool WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var end = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < end)
        {
            try
            {
                if (condition())
                {
                    return true;
                }
            }
            catch (WebDriverException)
            {
                // The page is (re)drawing: try again.
            }

            Thread.Sleep(50);
        }

        return condition();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Driver.Quit();
        Driver.Dispose();
    }

    private static string? Find(string name) => (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Append("/usr/bin").Append("/usr/lib/chromium")
        .Select(d => Path.Combine(d, name))
        .FirstOrDefault(File.Exists);
}
