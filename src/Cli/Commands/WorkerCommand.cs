using System.CommandLine;
using System.Globalization;
using ChunkCompute.Cluster.Orleans;
using ChunkCompute.Storage;

namespace ChunkCompute.Cli.Commands;

/// <summary>
/// <c>chunkcompute worker --port P [--join HOST:P] [--redis CONN] [--memory SIZE] [--tasks N] [--address IP]</c>: hosts a
/// ChunkCompute worker in an Orleans silo until Ctrl-C. Coordinators connect to its gateway port P; the silo port is
/// P + 1. The first worker of a machine-local cluster is started without <c>--join</c>; the others join it with
/// <c>--join HOST:P</c> (its gateway port). With <c>--redis</c> the membership is kept in Redis (several machines).
/// Prints one line, "worker listening on ADDRESS:P (memory …, tasks …)", once the silo has joined the cluster.
/// </summary>
internal static class WorkerCommand
{
    public static Command Create(CliContext context)
    {
        var port = new Option<int>("--port") { Description = "The gateway port coordinators connect to (the silo port is PORT + 1).", Required = true };
        var join = new Option<string?>("--join") { Description = "HOST:PORT of a running worker (its --port) to join; omit for the first worker." };
        var redis = new Option<string?>("--redis") { Description = "A Redis connection string: keep the cluster's membership in Redis (workers on several machines)." };
        var memory = CliOptions.Memory("the worker's tasks together");
        var tasks = new Option<int>("--tasks") { Description = "Tasks run at once (default: the number of cores).", DefaultValueFactory = _ => 0 };
        var address = new Option<string>("--address") { Description = "The IP address to listen on and advertise (default 127.0.0.1).", DefaultValueFactory = _ => "127.0.0.1" };
        var command = new Command("worker", "Host a cluster worker (an Orleans silo) that runs chunk tasks of coordinators, until Ctrl-C.") { port, join, redis, memory, tasks, address };
        command.SetAction(async (parse, _) =>
        {
            long budget = CliParsing.ParseSize(parse.GetValue(memory)!, "--memory");
            int p = parse.GetValue(port);
            if (p is <= 0 or >= 65535)
            {
                throw new UsageException($"--port {p} is out of range (1-65534: the silo listens on PORT + 1)");
            }

            int n = parse.GetValue(tasks);
            if (n < 0)
            {
                throw new UsageException($"--tasks {n} must not be negative");
            }

            var options = new ChunkWorkerSiloOptions
            {
                Port = p,
                Join = parse.GetValue(join),
                RedisConnectionString = parse.GetValue(redis),
                MemoryBudget = budget,
                Tasks = n,
                Address = parse.GetValue(address)!,
            };
            await ChunkWorkerSilo.RunAsync(options, context.CancellationToken, silo =>
            {
                context.Out.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"worker listening on {silo.Worker.Name} (memory {ByteSize.Format(silo.Worker.MemoryBudget)}, tasks {silo.Worker.MaxConcurrentTasks})"));
                context.Out.Flush();
            }).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
