using System.CommandLine;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

namespace ChunkCompute.Cli.Commands;

/// <summary>The workers a command's <see cref="ClusterChoice"/> options name, or none (run in this process).</summary>
internal static class ClusterSelection
{
    /// <summary>The workers to run on, or null; at most one way may be chosen. Dispose the result (it may hold a connection).</summary>
    /// <exception cref="UsageException">Several ways were chosen, or a value is invalid.</exception>
    public static Task<IChunkWorkers?> CreateAsync(ParseResult parse, ClusterChoice choice, long budget, CancellationToken cancellationToken)
    {
        // The usual local run completes here, without the connection code's state machine or the Orleans assembly
        // (both cost start-up: jitting and loading).
        return Chosen(parse, choice) == 0 ? Local(parse, choice) : ConnectAsync(parse, choice, budget, cancellationToken);
    }

    private static int Chosen(ParseResult parse, ClusterChoice choice) =>
        (parse.GetValue(choice.Cluster) is null ? 0 : 1) + (parse.GetValue(choice.Slurm) ? 1 : 0) + (parse.GetValue(choice.LocalWorkers) is null ? 0 : 1);

    private static Task<IChunkWorkers?> Local(ParseResult parse, ClusterChoice choice)
    {
        foreach (var only in new Option[] { choice.Partition, choice.SlurmDirectory, choice.WorkerMemory })
        {
            if (parse.GetResult(only) is { Implicit: false })
            {
                throw new UsageException($"{only.Name} applies to a cluster run (--cluster, --slurm or --local-workers)");
            }
        }

        return Task.FromResult<IChunkWorkers?>(null);
    }

    private static async Task<IChunkWorkers?> ConnectAsync(ParseResult parse, ClusterChoice choice, long budget, CancellationToken cancellationToken)
    {
        if (Chosen(parse, choice) > 1)
        {
            throw new UsageException("choose one of --cluster, --slurm and --local-workers");
        }

        long workerBudget = parse.GetValue(choice.WorkerMemory) is { } w ? CliParsing.ParseSize(w, "--worker-memory") : budget;
        if (parse.GetValue(choice.LocalWorkers) is { } n)
        {
            if (n is < 1 or > 256)
            {
                throw new UsageException($"--local-workers {n}: give 1 to 256 workers");
            }

            return new LocalWorkers(n, workerBudget);
        }

        if (parse.GetValue(choice.Slurm))
        {
            return SlurmTransport.Create(parse, choice, workerBudget);
        }

        var gateways = parse.GetValue(choice.Cluster)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        try
        {
            return await ChunkCompute.Cluster.Orleans.OrleansWorkers.ConnectAsync(gateways, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            // The transport parses the addresses (HOST:PORT, the --port of 'chunkcompute worker').
            throw new UsageException($"--cluster '{parse.GetValue(choice.Cluster)}': {ex.Message}");
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or ChunkComputeException))
        {
            throw new ChunkComputeException($"--cluster {string.Join(',', gateways)}: cannot reach the workers ({ex.Message})", ex);
        }
    }

    /// <summary>Disposes workers that hold resources.</summary>
    public static ValueTask DisposeAsync(IChunkWorkers? workers)
    {
        switch (workers)
        {
            case IAsyncDisposable a:
                return a.DisposeAsync();
            case IDisposable d:
                d.Dispose();
                break;
        }

        return ValueTask.CompletedTask;
    }
}
