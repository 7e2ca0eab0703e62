using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using ChunkCompute.Tests.Storage.Stores.Http;

namespace ChunkCompute.Tests.TestSupport;

/// <summary>
/// A test server from npm run by node on 127.0.0.1 (s3rver, Azurite): installed with npm into <c>$VARIABLE</c> (default
/// <c>~/.cache/chunkcompute/NAME</c>) the first time, started on a free port with a temporary data folder, killed and its
/// data removed when disposed. <see cref="Unavailable"/> says why it is not running (no node/npm, no start), and the
/// tests that need it skip with that reason.
/// </summary>
public abstract class NodeTestServer : IDisposable
{
    private readonly Process? _process;

    /// <summary>Installs <paramref name="package"/> if needed and starts <paramref name="script"/> (relative to its
    /// install folder) with the arguments <paramref name="arguments"/> builds from the port and the data folder.</summary>
    protected NodeTestServer(string name, string package, string variable, string script, Func<int, string, IEnumerable<string>> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        string home = Environment.GetEnvironmentVariable(variable)
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "chunkcompute", name);
        string path = Path.Combine(home, script);
        if (!File.Exists(path) && !Run("npm", $"install {package} --prefix \"{home}\" --no-audit --no-fund --silent", TimeSpan.FromMinutes(4), out string why))
        {
            Unavailable = $"{name} could not be installed with npm: {why}";
            return;
        }

        // A server whose port another process took meanwhile exits at once; the probe must not mistake that other
        // process for it, so a server counts as started only while it is still running after answering.
        for (int attempt = 0; attempt < 3; attempt++)
        {
            Port = LoopbackHttpServer.FreePort();
            var info = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add(path);
            foreach (var a in arguments(Port, Data.Path))
            {
                info.ArgumentList.Add(a);
            }

            foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            {
                info.Environment[key] = value;
            }

            try
            {
                _process = Process.Start(info)!;
                _process.OutputDataReceived += (_, _) => { };
                _process.ErrorDataReceived += (_, _) => { };
                _process.BeginOutputReadLine();
                _process.BeginErrorReadLine();
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                Unavailable = "node is not installed: " + ex.Message;
                return;
            }

            if (WaitUntilListening(_process, Port) && !_process.WaitForExit(300))
            {
                return;
            }

            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.WaitForExit(5000);
            _process.Dispose();
            _process = null;
        }

        Unavailable = $"{name} did not start on 127.0.0.1 (three ports tried, the last {Port})";
    }

    // True once something answers on the port, while the process still runs (at most 30 s).
    private static bool WaitUntilListening(Process process, int port)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30) && !process.HasExited)
        {
            try
            {
                using var probe = new TcpClient("127.0.0.1", port);
                return true;
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }

        return false;
    }

    /// <summary>The port the server listens on, on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Why the server is not available (then tests skip), or null.</summary>
    public string? Unavailable { get; }

    // The server's data folder.
    private Interop.TempDirectory Data { get; } = new("cc-node-server");

    /// <summary>The port as text.</summary>
    protected static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
        Data.Dispose();
        GC.SuppressFinalize(this);
    }

    private static bool Run(string file, string arguments, TimeSpan timeout, out string why)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(file, arguments) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true })!;
            var err = p.StandardError.ReadToEndAsync();
            _ = p.StandardOutput.ReadToEndAsync();
            if (!p.WaitForExit(timeout))
            {
                p.Kill(entireProcessTree: true);
                why = $"{file} {arguments} did not finish in {timeout}";
                return false;
            }

            why = err.Result;
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            why = $"{file} is not installed ({ex.Message})";
            return false;
        }
    }
}
