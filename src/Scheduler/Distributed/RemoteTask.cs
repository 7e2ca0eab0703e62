using System.Text;
using ChunkCompute.Storage;

namespace ChunkCompute.Scheduler;

/// <summary>What a worker does with the chunk it computes.</summary>
public enum RemoteTaskKind
{
    /// <summary>Returns the chunk's bytes in the reply (reduction partials, results asked for in memory).</summary>
    Return = 0,

    /// <summary>Writes the chunk into the coordinator's open transaction on the shared store and returns the keys it staged.</summary>
    Stage = 1,
}

/// <summary>
/// One chunk task sent to a worker: compute chunk <see cref="ChunkIndex"/> of node <see cref="Node"/> (its position in
/// a depth-first walk of output <see cref="Output"/> of <see cref="Job"/>, which the worker rebuilds), within
/// <see cref="MemoryBudget"/>, and return it or stage it. Serialized with <see cref="ToBytes"/> for any transport.
/// </summary>
public sealed class RemoteTask
{
    private const byte FormatVersion = 1;
    private const int MaxStrings = 4096;
    private const int MaxString = 1 << 20;

    /// <summary>Creates a task.</summary>
    public RemoteTask(string jobId, ClusterJob job, int output, int node, string signature, long[] chunkIndex, RemoteTaskKind kind, long memoryBudget)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(chunkIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(output);
        ArgumentOutOfRangeException.ThrowIfNegative(node);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(memoryBudget);
        JobId = jobId;
        Job = job;
        Output = output;
        Node = node;
        Signature = signature;
        ChunkIndex = chunkIndex;
        Kind = kind;
        MemoryBudget = memoryBudget;
    }

    /// <summary>The computation's id (unique per run; workers cache the rebuilt job under it).</summary>
    public string JobId { get; }

    /// <summary>The job the worker rebuilds.</summary>
    public ClusterJob Job { get; }

    /// <summary>Which of the job's outputs the node is under.</summary>
    public int Output { get; }

    /// <summary>The node's position in the depth-first walk of that output (inputs in order, each node once).</summary>
    public int Node { get; }

    /// <summary>The node's label, type and grid as the coordinator saw them: the worker refuses a node that differs.</summary>
    public string Signature { get; }

    /// <summary>The chunk to compute.</summary>
    public long[] ChunkIndex { get; }

    /// <summary>What to do with it.</summary>
    public RemoteTaskKind Kind { get; }

    /// <summary>The memory budget the task's plan must fit on the worker.</summary>
    public long MemoryBudget { get; }

    /// <summary>For <see cref="RemoteTaskKind.Stage"/>: the shared store's location (directory or URL).</summary>
    public string? StoreLocation { get; init; }

    /// <summary>For <see cref="RemoteTaskKind.Stage"/>: the coordinator's open transaction on that store.</summary>
    public string? TransactionId { get; init; }

    /// <summary>For <see cref="RemoteTaskKind.Stage"/>: the array written (created in that transaction).</summary>
    public string? ArrayPath { get; init; }

    /// <summary>Which attempt this is (0 the first; retries on other workers count up).</summary>
    public int Attempt { get; init; }

    /// <summary>The node's label (the first part of <see cref="Signature"/>), for messages.</summary>
    public string Label => Signature.Split('|')[0];

    /// <inheritdoc/>
    public override string ToString() => $"'{Label}' chunk [{string.Join(", ", ChunkIndex)}] of job {JobId}";

    /// <summary>The task as bytes.</summary>
    public byte[] ToBytes()
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(FormatVersion);
            w.Write(JobId);
            w.Write(Job.Name);
            w.Write(Job.Arguments.Count);
            foreach (var a in Job.Arguments)
            {
                w.Write(a);
            }

            w.Write(Output);
            w.Write(Node);
            w.Write(Signature);
            w.Write(ChunkIndex.Length);
            foreach (var i in ChunkIndex)
            {
                w.Write(i);
            }

            w.Write((byte)Kind);
            w.Write(MemoryBudget);
            w.Write(StoreLocation ?? string.Empty);
            w.Write(TransactionId ?? string.Empty);
            w.Write(ArrayPath ?? string.Empty);
            w.Write(Attempt);
        }

        return ms.ToArray();
    }

    /// <summary>Reads a task written by <see cref="ToBytes"/>.</summary>
    /// <exception cref="ChunkComputeException">The bytes are not a task (truncated, another version, out of range).</exception>
    public static RemoteTask FromBytes(ReadOnlySpan<byte> bytes)
    {
        try
        {
            using var ms = new MemoryStream(bytes.ToArray(), writable: false);
            using var r = new BinaryReader(ms, Encoding.UTF8);
            byte version = r.ReadByte();
            if (version != FormatVersion)
            {
                throw new ChunkComputeException($"remote task: format version {version}, expected {FormatVersion} (coordinator and worker run different ChunkCompute versions)");
            }

            string jobId = ReadString(r, "job id");
            string name = ReadString(r, "job name");
            var args = new string[ReadCount(r, MaxStrings, "job arguments")];
            for (int i = 0; i < args.Length; i++)
            {
                args[i] = ReadString(r, "job argument");
            }

            int output = r.ReadInt32();
            int node = r.ReadInt32();
            string signature = ReadString(r, "signature");
            var index = new long[ReadCount(r, 64, "chunk index")];
            for (int i = 0; i < index.Length; i++)
            {
                index[i] = r.ReadInt64();
                if (index[i] < 0)
                {
                    throw new ChunkComputeException($"remote task: chunk index [{string.Join(", ", index.Take(i + 1))}] is negative");
                }
            }

            byte kind = r.ReadByte();
            if (kind > (byte)RemoteTaskKind.Stage)
            {
                throw new ChunkComputeException($"remote task: unknown kind {kind}");
            }

            long budget = r.ReadInt64();
            string location = ReadString(r, "store location");
            string tx = ReadString(r, "transaction id");
            string path = ReadString(r, "array path");
            int attempt = r.ReadInt32();
            if (ms.Position != ms.Length)
            {
                throw new ChunkComputeException($"remote task: {ms.Length - ms.Position} bytes after the end");
            }

            if (output < 0 || node < 0 || budget <= 0 || attempt < 0 || jobId.Length == 0 || name.Length == 0)
            {
                throw new ChunkComputeException($"remote task: a field is out of range (output {output}, node {node}, budget {budget}, attempt {attempt})");
            }

            return new RemoteTask(jobId, new ClusterJob(name, args), output, node, signature, index, (RemoteTaskKind)kind, budget)
            {
                StoreLocation = location.Length == 0 ? null : location,
                TransactionId = tx.Length == 0 ? null : tx,
                ArrayPath = path.Length == 0 ? null : path,
                Attempt = attempt,
            };
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or FormatException or ArgumentException)
        {
            throw new ChunkComputeException($"remote task: not a valid task ({ex.Message})", ex);
        }
    }

    internal static string ReadString(BinaryReader r, string what)
    {
        long left = r.BaseStream.Length - r.BaseStream.Position;
        string s = r.ReadString();
        if (s.Length > MaxString || s.Length > left)
        {
            throw new ChunkComputeException($"remote task: the {what} is too long");
        }

        return s;
    }

    internal static int ReadCount(BinaryReader r, int max, string what)
    {
        int n = r.ReadInt32();
        if (n < 0 || n > max)
        {
            throw new ChunkComputeException($"remote task: {n} {what} (at most {max})");
        }

        return n;
    }
}
