using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using ChunkCompute.Graph;
using ChunkCompute.ML;
using ChunkCompute.MLNet;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using Microsoft.ML.Data;

namespace ChunkCompute.Bench;

/// <summary>The ML.NET adapter case (mlnet_view): rows/s through a ChunkedDataView cursor against the raw Batches stream.</summary>
internal static partial class Program
{
    /// <summary>
    /// One epoch, in order, over a stored 2-D float64 array (rows × features, e.g. tsqr_f64_blosc_lz4) two ways in this
    /// process: the raw stream (<c>x.Batches(b, options)</c>, every row's sum taken from the batch span) and an ML.NET
    /// cursor over <c>x.AsDataView(...)</c> with the same batch size and budget (every row's features fetched through
    /// the <c>VBuffer&lt;double&gt;</c> getter, as a trainer does, and summed). One warm-up of each, then
    /// <c>--iterations</c> (default 3) alternating timed epochs; best of each. Checksum: the sum of the row sums in row
    /// order, bit-identical both ways (checked). <c>--report view|batches</c> picks this process's <c>seconds</c> (both
    /// are printed), so the harness runs it as tool and peer (target: the view at ≥ 0.8 of the stream's rows/s).
    /// Without <c>--store</c>, a synthetic <c>--rows</c> (default 1 Mi) × 64 N(0, 1) array in 32768-row chunks is
    /// written to a temporary store first (untimed).
    /// </summary>
    private static int MLNetViewCase(Dictionary<string, string> options)
    {
        int batchSize = int.Parse(options.GetValueOrDefault("batch", "1024"), CultureInfo.InvariantCulture);
        int iterations = int.Parse(options.GetValueOrDefault("iterations", "3"), CultureInfo.InvariantCulture);
        long budget = long.Parse(options.GetValueOrDefault("budget", (256L << 20).ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        string report = options.GetValueOrDefault("report", "view");
        string caseName = options.GetValueOrDefault("case", "mlnet_view");
        if (report is not ("view" or "batches"))
        {
            throw new ArgumentException($"--report must be view or batches, not '{report}'");
        }

        string? temp = null;
        string store;
        string array;
        if (options.TryGetValue("store", out string? given))
        {
            store = given;
            array = Require(options, "array");
        }
        else
        {
            long n = long.Parse(options.GetValueOrDefault("rows", (1L << 20).ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
            temp = Path.Combine(Path.GetTempPath(), "chunkcompute-bench-mlnet-" + Guid.NewGuid().ToString("N"));
            store = temp;
            array = "x";
            using var write = ZarrStore.Open(temp);
            ChunkedArray.Random.Normal<double>([n, 64], [32768, 64], seed: 23).ToStore(write, array).Compute();
        }

        try
        {
            using var zarr = ZarrStore.OpenExisting(store);
            var x = zarr.Open<double>(array);
            long rows = x.Shape[0];
            int width = checked((int)x.Shape[1]);
            var batchOptions = new BatchOptions { MemoryBudget = budget, Prefetch = 2 };
            var view = x.AsDataView(new ChunkedDataViewOptions { MemoryBudget = budget, Prefetch = 2, BatchRows = batchSize });

            double StreamEpoch()
            {
                double checksum = 0;
                long seen = 0;
                foreach (var batch in x.Batches(batchSize, batchOptions).ToEnumerable())
                {
                    using (batch)
                    {
                        var span = batch.Span;
                        for (int r = 0; r < batch.Rows; r++)
                        {
                            checksum += TensorPrimitives.Sum<double>(span.Slice(r * width, width));
                        }

                        seen += batch.Rows;
                    }
                }

                return seen == rows ? checksum : throw new InvalidOperationException($"mlnet-view: the stream gave {seen} rows of {rows}");
            }

            double ViewEpoch()
            {
                double checksum = 0;
                long seen = 0;
                using var cursor = view.GetRowCursor(view.Schema);
                var getter = cursor.GetGetter<VBuffer<double>>(view.Schema[0]);
                VBuffer<double> features = default;
                while (cursor.MoveNext())
                {
                    getter(ref features);
                    checksum += TensorPrimitives.Sum<double>(features.GetValues());
                    seen++;
                }

                return seen == rows ? checksum : throw new InvalidOperationException($"mlnet-view: the view gave {seen} rows of {rows}");
            }

            double streamSum = StreamEpoch();
            double viewSum = ViewEpoch();
            double streamBest = double.MaxValue, viewBest = double.MaxValue;
            for (int i = 0; i < iterations; i++)
            {
                var clock = Stopwatch.StartNew();
                streamSum = StreamEpoch();
                streamBest = Math.Min(streamBest, clock.Elapsed.TotalSeconds);

                clock.Restart();
                viewSum = ViewEpoch();
                viewBest = Math.Min(viewBest, clock.Elapsed.TotalSeconds);
            }

            if (streamSum != viewSum)
            {
                throw new InvalidOperationException($"mlnet-view: the view's checksum {viewSum} differs from the stream's {streamSum}");
            }

            bool viewReported = report == "view";
            Emit(caseName, viewReported ? viewBest : streamBest, rows * width * sizeof(double), viewSum, json =>
            {
                json.WriteString("reported", report);
                json.WriteNumber("rows", rows);
                json.WriteNumber("features", width);
                json.WriteNumber("batch", batchSize);
                json.WriteNumber("view_rows_per_s", rows / viewBest);
                json.WriteNumber("batches_rows_per_s", rows / streamBest);
                json.WriteNumber("view_over_batches_throughput", streamBest / viewBest);
                json.WriteNumber("view_peak_buffer_bytes", view.PeakBufferBytes);
            }, tool: viewReported ? "chunkcompute" : "batches");
            return 0;
        }
        finally
        {
            if (temp is not null)
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }
}
