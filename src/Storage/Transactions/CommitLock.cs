using System.Collections.Concurrent;
using System.Diagnostics;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// A store's commit lock: an exclusive lock on the file <c>.chunkcompute/lock</c>, which the kernel releases when its
/// holder dies, so a lock file left behind by a killed process is simply free (it is never deleted or "broken"). Since
/// file locks do not exclude threads of one process reliably, one in-process gate per log folder is taken first.
/// </summary>
internal sealed class CommitLock
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> InProcessGates = new(StringComparer.Ordinal);

    private readonly LogFolder _folder;
    private readonly bool _readOnly;

    /// <param name="folder">The log.</param>
    /// <param name="timeout">How long <see cref="Acquire"/> waits for another holder.</param>
    /// <param name="readOnly">True when this process cannot write the log: acquiring then throws, trying returns null.</param>
    public CommitLock(LogFolder folder, TimeSpan timeout, bool readOnly)
    {
        _folder = folder;
        Timeout = timeout;
        _readOnly = readOnly;
    }

    /// <summary>How long a commit waits for another commit to finish.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Takes the lock, waiting up to <see cref="Timeout"/>.</summary>
    /// <exception cref="StoreBusyException">Another holder kept it for longer than the timeout.</exception>
    /// <exception cref="UnauthorizedAccessException">The log is read-only here.</exception>
    public IDisposable Acquire(CancellationToken cancellationToken) =>
        TryAcquire(Timeout, cancellationToken) ?? throw new InvalidOperationException("unreachable: a waiting lock either succeeds or throws");

    /// <summary>Takes the lock if it is free now, without waiting; null when another holder has it (or the log is read-only).</summary>
    public IDisposable? TryAcquireNow() => _readOnly ? null : TryAcquire(TimeSpan.Zero, CancellationToken.None);

    // Waits up to `timeout` (zero: not at all, returning null when busy); a longer wait throws StoreBusyException.
    private Handle? TryAcquire(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_readOnly)
        {
            throw _folder.ReadOnlyError("lock");
        }

        _folder.RequireFile(_folder.LockPath);
        var gate = InProcessGates.GetOrAdd(_folder.Meta, _ => new SemaphoreSlim(1, 1));
        if (!gate.Wait(timeout, cancellationToken))
        {
            if (timeout == TimeSpan.Zero)
            {
                return null;
            }

            throw new StoreBusyException($"store '{_folder.StoreName}': another commit in this process held the commit lock for over {timeout.TotalSeconds:0} s");
        }

        try
        {
            var clock = Stopwatch.StartNew();
            int delay = 1;
            while (true)
            {
                try
                {
                    var fs = new FileStream(_folder.LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                    return new Handle(fs, gate);
                }
                catch (UnauthorizedAccessException)
                {
                    throw _folder.ReadOnlyError("lock");
                }
                catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
                {
                    if (timeout == TimeSpan.Zero)
                    {
                        gate.Release();
                        return null;
                    }

                    if (clock.Elapsed > timeout)
                    {
                        throw new StoreBusyException($"store '{_folder.StoreName}': another process has held the commit lock '{_folder.LockPath}' for over {timeout.TotalSeconds:0} s ({ex.Message})");
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                    Thread.Sleep(delay);
                    delay = Math.Min(delay * 2, 50);
                }
            }
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    private sealed class Handle(FileStream file, SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                file.Dispose();
                gate.Release();
            }
        }
    }
}
