using System.Diagnostics;
using System.Net.Sockets;
using Azure.Storage.Blobs;
using ChunkCompute.Storage.Azure;
using ChunkCompute.Tests.Storage.Stores.Http;
using Xunit;

namespace ChunkCompute.Tests.Storage.Stores.Azure;

/// <summary>
/// Azurite 3.37.0 (Microsoft's Azure Storage emulator, blob service only) on 127.0.0.1 for the tests: installed with npm
/// into <c>$CHUNKCOMPUTE_AZURITE</c> (default <c>~/.cache/chunkcompute/azurite</c>) the first time, started on a free
/// port with a temporary data folder and telemetry off, stopped and removed when disposed. Tests skip, saying why, when
/// node/npm are missing.
/// </summary>
public sealed class AzuriteServer : IDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private readonly Process? _process;
    private readonly Interop.TempDirectory _data = new("cc-azurite");
    private int _containers;

    public AzuriteServer()
    {
        string home = Environment.GetEnvironmentVariable("CHUNKCOMPUTE_AZURITE")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "chunkcompute", "azurite");
        string script = Path.Combine(home, "node_modules", ".bin", "azurite-blob");
        if (!File.Exists(script))
        {
            if (!Run("npm", $"install azurite@3.37.0 --prefix \"{home}\" --no-audit --no-fund --silent", TimeSpan.FromMinutes(4), out string why))
            {
                Unavailable = "azurite could not be installed with npm: " + why;
                return;
            }
        }

        Port = LoopbackHttpServer.FreePort();
        var info = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[]
        {
            script, "--blobHost", "127.0.0.1", "--blobPort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--location", _data.Path, "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry",
        })
        {
            info.ArgumentList.Add(a);
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

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                using var probe = new TcpClient("127.0.0.1", Port);
                return;
            }
            catch (SocketException)
            {
                if (_process.HasExited)
                {
                    break;
                }

                Thread.Sleep(100);
            }
        }

        Unavailable = "azurite did not start on 127.0.0.1:" + Port;
    }

    public int Port { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};BlobEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;";

    /// <summary>Why the server is not available (then tests skip), or null.</summary>
    public string? Unavailable { get; }

    public AzureBlobStoreOptions Options => new() { ConnectionString = ConnectionString, MaxRetries = 1, RequestTimeout = TimeSpan.FromSeconds(20) };

    /// <summary>A new, empty container; returns its az:// URL (with a prefix, so prefixes are exercised).</summary>
    public string NewContainer(string prefix = "root")
    {
        Assert.SkipWhen(Unavailable is not null, Unavailable ?? string.Empty);
        string container = $"container-{Interlocked.Increment(ref _containers):D4}";
        new BlobServiceClient(ConnectionString).GetBlobContainerClient(container).Create();
        return $"az://{container}/{prefix}";
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
        _data.Dispose();
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
