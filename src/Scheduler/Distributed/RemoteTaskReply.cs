using System.Text;
using ChunkCompute.Storage;

namespace ChunkCompute.Scheduler;

/// <summary>
/// A worker's answer to a <see cref="RemoteTask"/>: the chunk's bytes (<see cref="RemoteTaskKind.Return"/>), the keys it
/// staged (<see cref="RemoteTaskKind.Stage"/>), or the error the task failed with. Serialized with <see cref="ToBytes"/>.
/// </summary>
public sealed class RemoteTaskReply
{
    private const byte FormatVersion = 1;

    /// <summary>A successful reply.</summary>
    public RemoteTaskReply(string worker, byte[] data, IReadOnlyList<string> stagedKeys, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(stagedKeys);
        Worker = worker;
        Data = data;
        StagedKeys = stagedKeys;
        Elapsed = elapsed;
    }

    private RemoteTaskReply(string worker, string errorType, string error, bool isDataError, TimeSpan elapsed)
    {
        Worker = worker;
        Data = [];
        StagedKeys = [];
        ErrorType = errorType;
        Error = error;
        IsDataError = isDataError;
        Elapsed = elapsed;
    }

    /// <summary>The worker that ran the task (its address or name).</summary>
    public string Worker { get; }

    /// <summary>The chunk's bytes (empty for a staged or failed task).</summary>
    public byte[] Data { get; }

    /// <summary>The keys staged in the coordinator's transaction.</summary>
    public IReadOnlyList<string> StagedKeys { get; }

    /// <summary>The time the worker spent on the task.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>The failure's exception type, or null when the task succeeded.</summary>
    public string? ErrorType { get; }

    /// <summary>The failure's message (with its inner exceptions'), or null.</summary>
    public string? Error { get; }

    /// <summary>
    /// True when the failure comes from the data or the plan (a corrupt chunk, a wrong dtype, a budget refusal): another
    /// worker would fail the same way, so the task is not retried.
    /// </summary>
    public bool IsDataError { get; }

    /// <summary>True when the task succeeded.</summary>
    public bool Succeeded => ErrorType is null;

    /// <summary>A reply for a task that failed on <paramref name="worker"/> with <paramref name="exception"/>.</summary>
    public static RemoteTaskReply Failed(string worker, Exception exception, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(exception);
        var message = new StringBuilder(exception.Message);
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            message.Append(" ← ").Append(inner.Message);
        }

        var root = exception;
        while (root is ChunkTaskFailedException { InnerException: { } inner })
        {
            root = inner;
        }

        return new RemoteTaskReply(worker, root.GetType().FullName ?? root.GetType().Name, message.ToString(), root is ChunkComputeException or InvalidDataException or NotSupportedException, elapsed);
    }

    /// <summary>The reply as bytes.</summary>
    public byte[] ToBytes()
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(FormatVersion);
            w.Write(Worker);
            w.Write(Elapsed.Ticks);
            w.Write(ErrorType is not null);
            if (ErrorType is not null)
            {
                w.Write(ErrorType);
                w.Write(Error ?? string.Empty);
                w.Write(IsDataError);
            }
            else
            {
                w.Write(StagedKeys.Count);
                foreach (var k in StagedKeys)
                {
                    w.Write(k);
                }

                w.Write(Data.Length);
                w.Write(Data);
            }
        }

        return ms.ToArray();
    }

    /// <summary>Reads a reply written by <see cref="ToBytes"/>.</summary>
    /// <exception cref="ChunkComputeException">The bytes are not a reply.</exception>
    public static RemoteTaskReply FromBytes(ReadOnlySpan<byte> bytes)
    {
        try
        {
            using var ms = new MemoryStream(bytes.ToArray(), writable: false);
            using var r = new BinaryReader(ms, Encoding.UTF8);
            byte version = r.ReadByte();
            if (version != FormatVersion)
            {
                throw new ChunkComputeException($"remote reply: format version {version}, expected {FormatVersion}");
            }

            string worker = RemoteTask.ReadString(r, "worker");
            var elapsed = TimeSpan.FromTicks(Math.Max(0, r.ReadInt64()));
            RemoteTaskReply reply;
            if (r.ReadBoolean())
            {
                string type = RemoteTask.ReadString(r, "error type");
                string error = RemoteTask.ReadString(r, "error");
                reply = new RemoteTaskReply(worker, type, error, r.ReadBoolean(), elapsed);
            }
            else
            {
                var keys = new string[RemoteTask.ReadCount(r, 1 << 20, "staged keys")];
                for (int i = 0; i < keys.Length; i++)
                {
                    keys[i] = RemoteTask.ReadString(r, "staged key");
                }

                int n = r.ReadInt32();
                if (n < 0 || n > ms.Length - ms.Position)
                {
                    throw new ChunkComputeException($"remote reply: {n} data bytes, {ms.Length - ms.Position} left");
                }

                reply = new RemoteTaskReply(worker, r.ReadBytes(n), keys, elapsed);
            }

            if (ms.Position != ms.Length)
            {
                throw new ChunkComputeException($"remote reply: {ms.Length - ms.Position} bytes after the end");
            }

            return reply;
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or FormatException or ArgumentException)
        {
            throw new ChunkComputeException($"remote reply: not a valid reply ({ex.Message})", ex);
        }
    }
}
