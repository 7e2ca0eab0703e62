using System.Diagnostics;
using ChunkCompute.Storage;

namespace ChunkCompute.Scheduler;

/// <summary>
/// Sends a cluster computation's remote tasks to the workers, at most <see cref="IChunkWorkers.MaxTasksInFlight"/> at
/// once, retries them on other workers, keeps the replies and counts where each task ran.
/// </summary>
internal sealed class Dispatcher(ClusterOptions cluster, string jobId, ComputeOptions options, IReadOnlyList<ClusterRun.RemoteNode> remote)
{
    private readonly Dictionary<string, (int Tasks, int Retried)> _workers = new(StringComparer.Ordinal);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _done;
    private long _bytes;
    private long _lastReport;

    private readonly bool _writes = remote.Any(r => r.Kind == RemoteTaskKind.Stage);

    public long TaskCount { get; } = remote.Sum(r => r.Node.Grid.ChunkCount);

    public IReadOnlyList<WorkerStatistics> WorkerStatistics()
    {
        lock (_workers)
        {
            return _workers.OrderBy(w => w.Key, StringComparer.Ordinal).Select(w => new WorkerStatistics(w.Key, w.Value.Tasks, w.Value.Retried)).ToArray();
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = cts.Token;
        Exception? failure = null;
        using var slots = new SemaphoreSlim(Math.Max(1, cluster.Workers.MaxTasksInFlight));
        var running = new List<Task>();
        try
        {
            foreach (var r in remote)
            {
                var index = new long[r.Node.Grid.Rank];
                for (long linear = 0; linear < r.Node.Grid.ChunkCount && !token.IsCancellationRequested; linear++)
                {
                    await slots.WaitAsync(token).ConfigureAwait(false);
                    r.Node.Grid.Unravel(linear, index);
                    var chunk = (long[])index.Clone();
                    long number = linear;
                    running.Add(Task.Run(
                        async () =>
                        {
                            try
                            {
                                await RunTaskAsync(r, chunk, number, token).ConfigureAwait(false);
                            }
                            catch (Exception ex)
                            {
                                if (!(ex is OperationCanceledException && token.IsCancellationRequested))
                                {
                                    Interlocked.CompareExchange(ref failure, ex, null);
                                }

                                cts.Cancel();
                            }
                            finally
                            {
                                slots.Release();
                            }
                        },
                        CancellationToken.None));
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }

        cancellationToken.ThrowIfCancellationRequested();
        Report(force: true);
    }

    private async Task RunTaskAsync(ClusterRun.RemoteNode r, long[] chunk, long linear, CancellationToken token)
    {
        var avoid = new HashSet<string>(StringComparer.Ordinal);
        int attempts = Math.Max(1, cluster.MaxAttempts);
        string? lastWorker = null;
        Exception? lastLoss = null;
        for (int attempt = 0; attempt < attempts; attempt++)
        {
            var task = new RemoteTask(jobId, cluster.Job, r.Output, r.Ordinal, r.Signature, chunk, r.Kind, cluster.Workers.WorkerMemoryBudget)
            {
                StoreLocation = r.Write?.Transaction.Name,
                TransactionId = r.Write?.Transaction.Id,
                ArrayPath = r.Write?.Node.Target.Path,
                Attempt = attempt,
            };
            RemoteTaskReply reply;
            try
            {
                reply = await cluster.Workers.RunAsync(task, avoid, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                // The worker was lost (or the transport failed): the task is retried on another one.
                string worker = ex is WorkerLostException lost ? lost.Worker : "(unknown)";
                Count(worker, retried: true);
                avoid.Add(worker);
                lastWorker = worker;
                lastLoss = ex;
                if (attempt < attempts - 1)
                {
                    // A worker was just lost: the cluster's view of who is alive lags behind (Orleans membership, a
                    // gateway relaying for the dead silo), so an immediate retry can land on the dying worker again and
                    // spend every attempt in a moment. A short, growing pause lets the transport's view catch up.
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(4000, 500 << attempt)), token).ConfigureAwait(false);
                }

                continue;
            }

            if (!reply.Succeeded)
            {
                if (reply.IsDataError || attempt == attempts - 1)
                {
                    throw new RemoteTaskFailedException(reply.Worker, r.Node.Label, chunk, reply.ErrorType!, reply.Error ?? string.Empty, attempt + 1);
                }

                Count(reply.Worker, retried: true);
                avoid.Add(reply.Worker);
                lastWorker = reply.Worker;
                continue;
            }

            Accept(r, chunk, linear, reply);
            Count(reply.Worker, retried: false);
            Interlocked.Increment(ref _done);
            Report(force: false);
            return;
        }

        throw new ChunkComputeException(
            $"task '{r.Node.Label}' chunk [{string.Join(", ", chunk)}] could not run: {attempts} attempts, the last on worker {lastWorker}: {lastLoss?.Message}", lastLoss);
    }

    // A reply is checked before it is used: the right size for a returned chunk, keys of the written array for a staged one.
    private void Accept(ClusterRun.RemoteNode r, long[] chunk, long linear, RemoteTaskReply reply)
    {
        if (r.Kind == RemoteTaskKind.Return)
        {
            long expected = r.Node.OutputBytes(chunk);
            if (reply.Data.Length != expected)
            {
                throw new ChunkComputeException($"worker {reply.Worker} returned {reply.Data.Length} bytes for chunk [{string.Join(", ", chunk)}] of '{r.Node.Label}', expected {expected}");
            }

            r.Replies[linear] = reply.Data;
            Interlocked.Add(ref _bytes, reply.Data.Length);
            return;
        }

        var write = r.Write!;
        string prefix = write.Node.Target.Path.Length == 0 ? string.Empty : write.Node.Target.Path + "/";
        foreach (var key in reply.StagedKeys)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal) || key.Length == prefix.Length)
            {
                throw new ChunkComputeException($"worker {reply.Worker} staged '{key}' for chunk [{string.Join(", ", chunk)}] of '{write.Node.Label}', which is not a key of array '{write.Node.Target.Path}'");
            }
        }

        write.Transaction.AdoptStaged(reply.StagedKeys);
        Interlocked.Add(ref _bytes, r.Node.OutputBytes(chunk));
    }

    private void Count(string worker, bool retried)
    {
        lock (_workers)
        {
            _workers.TryGetValue(worker, out var c);
            _workers[worker] = retried ? (c.Tasks, c.Retried + 1) : (c.Tasks + 1, c.Retried);
        }
    }

    private void Report(bool force)
    {
        if (options.Progress is null)
        {
            return;
        }

        long now = _clock.ElapsedMilliseconds;
        long last = Interlocked.Read(ref _lastReport);
        if (force || (now - last >= 100 && Interlocked.CompareExchange(ref _lastReport, now, last) == last))
        {
            long bytes = Interlocked.Read(ref _bytes);
            options.Progress.Report(new ComputeProgress(Interlocked.Read(ref _done), TaskCount, _writes ? 0 : bytes, _writes ? bytes : 0, _clock.Elapsed));
        }
    }
}
