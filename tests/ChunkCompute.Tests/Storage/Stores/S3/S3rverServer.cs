using System.Diagnostics;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using ChunkCompute.Storage.S3;
using ChunkCompute.Tests.Storage.Stores.Http;
using Xunit;

namespace ChunkCompute.Tests.Storage.Stores.S3;

/// <summary>
/// s3rver 3.7.1 (an S3 server in node) on 127.0.0.1 for the tests: installed with npm into
/// <c>$CHUNKCOMPUTE_S3RVER</c> (default <c>~/.cache/chunkcompute/s3rver</c>) the first time, started on a free port with a
/// temporary data folder, stopped and removed when disposed. Tests skip, saying why, when node/npm are missing.
/// </summary>
public sealed class S3rverServer : IDisposable
{
    private readonly Process? _process;
    private readonly Interop.TempDirectory _data = new("cc-s3rver");
    private int _buckets;

    public S3rverServer()
    {
        string home = Environment.GetEnvironmentVariable("CHUNKCOMPUTE_S3RVER")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "chunkcompute", "s3rver");
        string script = Path.Combine(home, "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(script))
        {
            if (!Run("npm", $"install s3rver@3.7.1 --prefix \"{home}\" --no-audit --no-fund --silent", TimeSpan.FromMinutes(4), out string why))
            {
                Unavailable = "s3rver could not be installed with npm: " + why;
                return;
            }
        }

        Port = LoopbackHttpServer.FreePort();
        var info = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { script, "-d", _data.Path, "-a", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-s" })
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["NODE_OPTIONS"] = "--openssl-legacy-provider";
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

        Unavailable = "s3rver did not start on 127.0.0.1:" + Port;
    }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>Why the server is not available (then tests skip), or null.</summary>
    public string? Unavailable { get; }

    public S3StoreOptions Options => new() { ServiceUrl = Endpoint, AccessKeyId = "S3RVER", SecretAccessKey = "S3RVER", MaxRetries = 1, RequestTimeout = TimeSpan.FromSeconds(20) };

    /// <summary>A new, empty bucket; returns its s3:// URL (with a prefix, so prefixes are exercised).</summary>
    public string NewBucket(string prefix = "root")
    {
        Assert.SkipWhen(Unavailable is not null, Unavailable ?? string.Empty);
        string bucket = $"bucket-{Interlocked.Increment(ref _buckets):D4}";
        using var client = new AmazonS3Client(new BasicAWSCredentials("S3RVER", "S3RVER"), new AmazonS3Config { ServiceURL = Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        client.PutBucketAsync(bucket).GetAwaiter().GetResult();
        return $"s3://{bucket}/{prefix}";
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
