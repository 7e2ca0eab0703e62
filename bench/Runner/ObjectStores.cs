using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Numerics;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ChunkCompute.Graph;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Azure;
using ChunkCompute.Storage.S3;

namespace ChunkCompute.Bench;

/// <summary>
/// The object-store cases (bench/objectstores/run.sh): one array read from s3:// or az:// (or, for context, a local
/// directory) in four ways, each one timed operation printing one JSON line:
/// <list type="bullet">
/// <item><c>raw</c>: GET every chunk object of the array with the cloud SDK itself (AWSSDK.S3 GetObject, Azure
/// BlobClient.DownloadStreaming) into pooled buffers, <c>--inflight</c> requests at once, nothing decoded: the limit.
/// Each object is asked for as the stores ask for a whole value (a ranged GET of its first <c>--part-bytes</c>, 8 MiB
/// like their ReadPartSize); <c>raw_plain</c> makes one plain GET per object instead.</item>
/// <item><c>read</c>: the engine's read path, <c>store.Open&lt;T&gt;(array).Compute()</c> (the whole array in memory).</item>
/// <item><c>read_array</c>: the storage layer's read, <c>ZarrArray&lt;T&gt;.Read()</c>.</item>
/// <item><c>read_into</c>: the same into a destination allocated and written before the clock starts, so the time is
/// the reading alone, without first touches of 1 GiB of fresh memory.</item>
/// <item><c>mean</c>: <c>store.Open&lt;T&gt;(array).Mean().Compute()</c>.</item>
/// </list>
/// Every line carries the HTTP requests in flight, measured from .NET's own HTTP metrics (System.Net.Http
/// <c>http.client.open_connections</c> in state active: a connection is active from the request until its response
/// body is read): the peak and the time-weighted mean over the timed operation. <c>bytes</c> is the array's decoded
/// size for every mode (so GB/s compare across modes); <c>stored_bytes</c> what the GETs transferred.
/// </summary>
internal static partial class Program
{
    private static int ObjectStoreCase(Dictionary<string, string> options)
    {
        S3Store.Register();
        AzureBlobStore.Register();
        string mode = Require(options, "mode");
        string url = Require(options, "url");
        if (mode == "setup")
        {
            return ObjectStoreSetup(url);
        }

        string array = Require(options, "array");
        string caseName = options.GetValueOrDefault("case", mode);
        using var meter = new InFlightMeter();
        using var zarr = ZarrStore.OpenExisting(url);
        var dataType = zarr.OpenArray(array).DataType;
        if (mode is "raw" or "raw_plain")
        {
            int inflight = int.Parse(options.GetValueOrDefault("inflight", "64"), CultureInfo.InvariantCulture);
            int part = mode == "raw" ? int.Parse(options.GetValueOrDefault("part-bytes", (8 << 20).ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture) : 0;
            return ObjectStoreRaw(zarr, url, array, inflight, part, caseName, meter);
        }

        if (dataType == DataType.Of<float>())
        {
            return ObjectStoreEngine<float>(zarr, array, mode, caseName, meter);
        }

        if (dataType == DataType.Of<double>())
        {
            return ObjectStoreEngine<double>(zarr, array, mode, caseName, meter);
        }

        throw new ArgumentException($"objectstore supports float32 and float64 arrays, not {dataType.Name}");
    }

    /// <summary>Creates the bucket or container of <paramref name="url"/> if it is missing.</summary>
    private static int ObjectStoreSetup(string url)
    {
        var (scheme, bucket, _) = SplitUrl(url);
        if (scheme == "s3")
        {
            using var client = NewS3Client(8);
            try
            {
                client.PutBucketAsync(bucket).GetAwaiter().GetResult();
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
            {
            }
        }
        else
        {
            NewBlobService().GetBlobContainerClient(bucket).CreateIfNotExists();
        }

        Console.Error.WriteLine($"objectstore setup: {scheme}://{bucket} exists");
        return 0;
    }

    private static int ObjectStoreEngine<T>(ZarrStore zarr, string array, string mode, string caseName, InFlightMeter meter)
        where T : unmanaged, INumber<T>
    {
        // read_into's destination is allocated and every page of it written before the clock starts: on this VM a
        // first touch of fresh memory costs from 0.2 to 3 s of kernel time per GiB, at random (bench/prefault.py)
        T[]? destination = null;
        if (mode == "read_into")
        {
            destination = GC.AllocateUninitializedArray<T>(checked((int)zarr.OpenArray<T>(array).Shape.Aggregate(1L, (a, b) => a * b)));
            Array.Fill(destination, T.One);
        }

        var gc = new GcSnapshot();
        var clock = Stopwatch.StartNew();
        meter.Start();
        long length;
        double checksum;
        long tasks = 0;
        switch (mode)
        {
            case "read_into":
                {
                    var z = zarr.OpenArray<T>(array);
                    z.Read(ArraySubset.All(z.Shape), destination);
                    meter.Stop();
                    clock.Stop();
                    length = destination!.LongLength;
                    checksum = ChecksumOf<T>(destination);
                    break;
                }

            case "read":
                {
                    var x = zarr.Open<T>(array);
                    var result = x.Compute();
                    meter.Stop();
                    clock.Stop();
                    length = x.Length;
                    checksum = ChecksumOf<T>(result.ToArray());
                    tasks = result.Statistics.Tasks;
                    break;
                }

            case "read_array":
                {
                    var values = zarr.OpenArray<T>(array).Read();
                    meter.Stop();
                    clock.Stop();
                    length = values.LongLength;
                    checksum = ChecksumOf<T>(values);
                    break;
                }

            case "mean":
                {
                    var x = zarr.Open<T>(array);
                    var result = Build(x, "mean", null).Compute();
                    meter.Stop();
                    clock.Stop();
                    length = x.Length;
                    checksum = double.CreateTruncating(result.Value);
                    tasks = result.Statistics.Tasks;
                    break;
                }

            default:
                throw new ArgumentException($"--mode must be setup, raw, raw_plain, read, read_array, read_into or mean, not '{mode}'");
        }

        Emit(caseName, clock.Elapsed.TotalSeconds, length * DataType.Of<T>().Size, checksum, json =>
        {
            meter.Write(json);
            gc.Write(json);
            json.WriteNumber("max_concurrency", zarr.Options.MaxConcurrency);

            // the limits on requests in flight: the engine's (read, mean) and the store's region reads (read_array)
            json.WriteNumber("max_requests_in_flight", mode is "read_array" or "read_into" ? zarr.Options.MaxRequestsInFlight : new ComputeOptions().MaxRequestsInFlight);
            json.WriteNumber("cores", Environment.ProcessorCount);
            if (tasks > 0)
            {
                json.WriteNumber("tasks", tasks);
            }
        });
        return 0;
    }

    /// <summary>
    /// GETs every chunk object of the array with the SDK, <paramref name="inflight"/> at once, each body read whole
    /// into a pooled buffer and nothing decoded. The checksum is the bytes transferred (the harness compares it with
    /// the chunk files of the local copy). With <paramref name="part"/> &gt; 0 each object is asked for as the stores ask
    /// for a whole value: a ranged GET of its first <paramref name="part"/> bytes (the response tells the length), then
    /// the rest, if any, by one more ranged GET; with 0, one plain GET (AWSSDK.S3 then checks the body's MD5 against
    /// the ETag, which costs client CPU that ranged GETs do not).
    /// </summary>
    private static int ObjectStoreRaw(ZarrStore zarr, string url, string array, int inflight, int part, string caseName, InFlightMeter meter)
    {
        var z = zarr.OpenArray(array);
        var (scheme, bucket, prefix) = SplitUrl(url);
        if (scheme is not ("s3" or "az"))
        {
            throw new ArgumentException($"raw needs an s3:// or az:// URL, not '{url}'");
        }

        // every chunk of the grid, as object names (the array's own key encoding)
        long[] grid = z.GridShape;
        long chunks = grid.Aggregate(1L, (a, b) => a * b);
        var names = new List<string>(checked((int)chunks));
        var index = new long[grid.Length];
        for (long c = 0; c < chunks; c++)
        {
            long rest = c;
            for (int d = grid.Length - 1; d >= 0; d--)
            {
                index[d] = rest % grid[d];
                rest /= grid[d];
            }

            names.Add(prefix + z.ChunkKey(index));
        }

        long stored = 0, missing = 0;
        Func<string, CancellationToken, Task<long>> get;
        IDisposable? owned = null;
        if (scheme == "s3")
        {
            var client = NewS3Client(inflight);
            owned = client;
            get = async (name, ct) =>
            {
                if (part == 0)
                {
                    using var whole = await client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = name }, ct).ConfigureAwait(false);
                    return await Drain(whole.ResponseStream, whole.ContentLength, ct).ConfigureAwait(false);
                }

                long got, total;
                using (var first = await client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = name, ByteRange = new ByteRange(0, part - 1) }, ct).ConfigureAwait(false))
                {
                    got = await Drain(first.ResponseStream, first.ContentLength, ct).ConfigureAwait(false);
                    total = TotalLength(first.ContentRange) ?? got;
                }

                if (total > got)
                {
                    using var rest = await client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = name, ByteRange = new ByteRange(got, total - 1) }, ct).ConfigureAwait(false);
                    got += await Drain(rest.ResponseStream, rest.ContentLength, ct).ConfigureAwait(false);
                }

                return got;
            };
        }
        else
        {
            var container = NewBlobService().GetBlobContainerClient(bucket);
            get = async (name, ct) =>
            {
                var blob = container.GetBlobClient(name);
                if (part == 0)
                {
                    using var whole = (await blob.DownloadStreamingAsync(cancellationToken: ct).ConfigureAwait(false)).Value;
                    return await Drain(whole.Content, whole.Details.ContentLength, ct).ConfigureAwait(false);
                }

                long got, total;
                using (var first = (await blob.DownloadStreamingAsync(new BlobDownloadOptions { Range = new Azure.HttpRange(0, part) }, ct).ConfigureAwait(false)).Value)
                {
                    got = await Drain(first.Content, first.Details.ContentLength, ct).ConfigureAwait(false);
                    total = TotalLength(first.Details.ContentRange) ?? got;
                }

                if (total > got)
                {
                    using var rest = (await blob.DownloadStreamingAsync(new BlobDownloadOptions { Range = new Azure.HttpRange(got, total - got) }, ct).ConfigureAwait(false)).Value;
                    got += await Drain(rest.Content, rest.Details.ContentLength, ct).ConfigureAwait(false);
                }

                return got;
            };
        }

        using (owned)
        {
            var gc = new GcSnapshot();
            var clock = Stopwatch.StartNew();
            meter.Start();
            Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = inflight }, async (name, ct) =>
            {
                try
                {
                    Interlocked.Add(ref stored, await get(name, ct).ConfigureAwait(false));
                }
                catch (Exception ex) when (ex is AmazonS3Exception { StatusCode: System.Net.HttpStatusCode.NotFound } or Azure.RequestFailedException { Status: 404 })
                {
                    Interlocked.Increment(ref missing);
                }
            }).GetAwaiter().GetResult();
            meter.Stop();
            clock.Stop();

            long logical = z.Shape.Aggregate(1L, (a, b) => a * b) * z.DataType.Size;
            Emit(caseName, clock.Elapsed.TotalSeconds, logical, stored, json =>
            {
                json.WriteNumber("requests_in_flight", inflight);
                json.WriteNumber("part_bytes", part);
                meter.Write(json, includeConfigured: false);
                gc.Write(json);
                json.WriteNumber("stored_bytes", stored);
                json.WriteNumber("objects", names.Count - missing);
                json.WriteNumber("missing_objects", missing);
                json.WriteNumber("cores", Environment.ProcessorCount);
            }, tool: scheme == "s3" ? "awssdk" : "azure-sdk");
        }

        return 0;
    }

    // The object's length from a Content-Range header ("bytes 0-8388607/123456789"), or null.
    private static long? TotalLength(string? contentRange) =>
        contentRange is not null && long.TryParse(contentRange.AsSpan(contentRange.LastIndexOf('/') + 1), CultureInfo.InvariantCulture, out long total) ? total : null;

    // Checksum (Neumaier-compensated sum in double) without a double copy of the array, which would double the RSS.
    private static double ChecksumOf<T>(ReadOnlySpan<T> values)
        where T : unmanaged, INumber<T>
    {
        double sum = 0, compensation = 0;
        foreach (T value in values)
        {
            double v = double.CreateTruncating(value);
            double t = sum + v;
            compensation += Math.Abs(sum) >= Math.Abs(v) ? (sum - t) + v : (v - t) + sum;
            sum = t;
        }

        return sum + compensation;
    }

    // Reads a response body whole into a pooled buffer (as the stores do) and returns its length.
    private static async Task<long> Drain(Stream body, long length, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(checked((int)Math.Max(1, length)));
        try
        {
            int total = 0;
            while (total < length)
            {
                int read = await body.ReadAsync(buffer.AsMemory(total, (int)length - total), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException($"body ended after {total} of {length} bytes");
                }

                total += read;
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // scheme, bucket/container and object-name prefix ("" or "prefix/") of s3://bucket/prefix or az://container/prefix
    private static (string Scheme, string Bucket, string Prefix) SplitUrl(string url)
    {
        int colon = url.IndexOf("://", StringComparison.Ordinal);
        if (colon < 0)
        {
            return ("file", string.Empty, string.Empty);
        }

        string scheme = url[..colon].ToLowerInvariant();
        string rest = url[(colon + 3)..].Trim('/');
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        return (scheme, slash < 0 ? rest : rest[..slash], slash < 0 ? string.Empty : rest[(slash + 1)..] + "/");
    }

    // The client S3Store builds for a custom endpoint (AWS_ENDPOINT_URL, credentials from the environment), with
    // `inflight` connections.
    private static AmazonS3Client NewS3Client(int inflight)
    {
        string endpoint = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL")
            ?? throw new ArgumentException("AWS_ENDPOINT_URL is not set (the benchmark talks only to a loopback server)");
        var config = new AmazonS3Config
        {
            ServiceURL = endpoint,
            ForcePathStyle = true,
            AuthenticationRegion = Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1",
            MaxErrorRetry = 4,
            RetryMode = RequestRetryMode.Standard,
            Timeout = TimeSpan.FromSeconds(60),
            MaxConnectionsPerServer = inflight,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        return new AmazonS3Client(config);
    }

    // The service client AzureBlobStore builds (AZURE_STORAGE_CONNECTION_STRING, the same retry settings).
    private static BlobServiceClient NewBlobService()
    {
        string connection = Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING")
            ?? throw new ArgumentException("AZURE_STORAGE_CONNECTION_STRING is not set");
        var clientOptions = new BlobClientOptions();
        clientOptions.Retry.MaxRetries = 4;
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(60);
        return new BlobServiceClient(connection, clientOptions);
    }

    /// <summary>What the garbage collector did since this snapshot: collections per generation, pause time, bytes allocated.</summary>
    private sealed class GcSnapshot
    {
        private readonly int[] _collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        private readonly TimeSpan _pause = GC.GetTotalPauseDuration();
        private readonly long _allocated = GC.GetTotalAllocatedBytes();

        public void Write(System.Text.Json.Utf8JsonWriter json)
        {
            json.WriteNumber("gc_gen0", GC.CollectionCount(0) - _collections[0]);
            json.WriteNumber("gc_gen1", GC.CollectionCount(1) - _collections[1]);
            json.WriteNumber("gc_gen2", GC.CollectionCount(2) - _collections[2]);
            json.WriteNumber("gc_pause_seconds", Math.Round((GC.GetTotalPauseDuration() - _pause).TotalSeconds, 3));
            json.WriteNumber("allocated_bytes", GC.GetTotalAllocatedBytes() - _allocated);
        }
    }

    /// <summary>
    /// HTTP requests in flight in this process, from System.Net.Http's metrics: connections in state active (from
    /// sending a request until its response body is read). Peak and time-weighted mean between Start and Stop.
    /// </summary>
    private sealed class InFlightMeter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Lock _lock = new();
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _current;
        private long _peak;
        private double _area;
        private double _last;
        private double _start = -1;
        private double _stop = -1;
        private long _events;

        public InFlightMeter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "System.Net.Http" && instrument.Name == "http.client.open_connections")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>(OnMeasurement);
            _listener.Start();
        }

        public void Start()
        {
            lock (_lock)
            {
                _last = _start = _clock.Elapsed.TotalSeconds;
                _area = 0;
                _peak = _current;
                _events = 0;
            }
        }

        public void Stop()
        {
            lock (_lock)
            {
                double now = _clock.Elapsed.TotalSeconds;
                _area += _current * (now - _last);
                _last = _stop = now;
            }
        }

        public void Write(System.Text.Json.Utf8JsonWriter json, bool includeConfigured = true)
        {
            lock (_lock)
            {
                if (_events == 0)
                {
                    // no HTTP in this run (a local store): no requests
                    return;
                }

                if (includeConfigured)
                {
                    json.WriteNumber("requests_in_flight", _peak);
                }

                json.WriteNumber("inflight_peak", _peak);
                json.WriteNumber("inflight_mean", Math.Round(_stop > _start ? _area / (_stop - _start) : 0, 2));
            }
        }

        public void Dispose() => _listener.Dispose();

        private void OnMeasurement(Instrument instrument, long delta, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        {
            bool active = false;
            foreach (var tag in tags)
            {
                if (tag.Key == "http.connection.state" && tag.Value is string s && s == "active")
                {
                    active = true;
                }
            }

            if (!active)
            {
                return;
            }

            lock (_lock)
            {
                double now = _clock.Elapsed.TotalSeconds;
                bool timing = _start >= 0 && _stop < 0;
                if (timing)
                {
                    _area += _current * (now - _last);
                    _last = now;
                    _events++;
                }

                _current += delta;
                if (timing)
                {
                    _peak = Math.Max(_peak, _current);
                }
            }
        }
    }
}
