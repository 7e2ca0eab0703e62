using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using ChunkCompute.ML;
using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Bench;

/// <summary>The mini-batch streaming case (batches).</summary>
internal static partial class Program
{
    /// <summary>
    /// Streams a stored 2-D float32 array in batches of <c>--batch</c> rows, in order, with
    /// <c>store.Open&lt;float&gt;(array).Batches(b, new BatchOptions { Prefetch = 2 })</c>, touching every element.
    /// Timed: the whole epoch. Checksum: Σ over batches of (float64 sum of the batch + batch number × its first
    /// element), order-sensitive, computed the same way by the Dask peer. Also prints rows/s.
    /// </summary>
    private static int BatchesCase(Dictionary<string, string> options)
    {
        string store = Require(options, "store");
        string array = Require(options, "array");
        int batchSize = int.Parse(options.GetValueOrDefault("batch", "1024"), CultureInfo.InvariantCulture);
        int prefetch = int.Parse(options.GetValueOrDefault("prefetch", "2"), CultureInfo.InvariantCulture);
        string caseName = options.GetValueOrDefault("case", "batches");

        // diagnostic, not used by the case: untimed epochs before the timed one (JIT and first touches paid already)
        int warm = int.Parse(options.GetValueOrDefault("warm", "0"), CultureInfo.InvariantCulture);

        using var zarr = ZarrStore.OpenExisting(store);
        var x = zarr.Open<float>(array);
        long rows = x.Shape[0];
        long bytes = x.Length * sizeof(float);
        for (int i = 0; i < warm; i++)
        {
            foreach (var batch in x.Batches(batchSize, new BatchOptions { Prefetch = prefetch }).ToEnumerable())
            {
                batch.Dispose();
            }
        }

        var clock = Stopwatch.StartNew();
        var stream = x.Batches(batchSize, new BatchOptions { Prefetch = prefetch });
        double checksum = 0;
        long seen = 0;
        foreach (var batch in stream.ToEnumerable())
        {
            using (batch)
            {
                var span = batch.Span;
                checksum += WideSum(span) + (batch.Number * (double)span[0]);
                seen += batch.Rows;
            }
        }

        double seconds = clock.Elapsed.TotalSeconds;
        if (seen != rows)
        {
            throw new InvalidOperationException($"batches: streamed {seen} rows of {rows}");
        }

        Emit(caseName, seconds, bytes, checksum, json =>
        {
            json.WriteNumber("rows", rows);
            json.WriteNumber("batch", batchSize);
            json.WriteNumber("rows_per_s", rows / seconds);
            json.WriteNumber("peak_buffer_bytes", stream.PeakBufferBytes);
        });
        return 0;
    }

    /// <summary>The float64 sum of float32 values, widened with SIMD (a scalar loop would cap the measured throughput).</summary>
    private static double WideSum(ReadOnlySpan<float> values)
    {
        var acc0 = Vector<double>.Zero;
        var acc1 = Vector<double>.Zero;
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
        foreach (var v in vectors)
        {
            Vector.Widen(v, out var low, out var high);
            acc0 += low;
            acc1 += high;
        }

        double sum = Vector.Sum(acc0 + acc1);
        for (int i = vectors.Length * Vector<float>.Count; i < values.Length; i++)
        {
            sum += values[i];
        }

        return sum;
    }
}
