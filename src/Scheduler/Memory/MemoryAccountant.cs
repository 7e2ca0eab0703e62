namespace ChunkCompute.Scheduler;

/// <summary>
/// Counts every chunk buffer's bytes against the memory budget. A task's bytes are reserved before it may start and
/// released as its buffers are freed; a reservation that does not fit waits for releases (back-pressure).
/// </summary>
public sealed class MemoryAccountant
{
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _released = new(0);
    private long _inUse;
    private long _peak;

    /// <summary>Creates an accountant for <paramref name="budget"/> bytes.</summary>
    public MemoryAccountant(long budget)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(budget);
        Budget = budget;
    }

    /// <summary>The hard limit.</summary>
    public long Budget { get; }

    /// <summary>Bytes reserved or held now.</summary>
    public long InUse
    {
        get
        {
            lock (_lock)
            {
                return _inUse;
            }
        }
    }

    /// <summary>The most bytes ever reserved or held at once.</summary>
    public long Peak
    {
        get
        {
            lock (_lock)
            {
                return _peak;
            }
        }
    }

    /// <summary>Reserves <paramref name="bytes"/>, waiting while they do not fit.</summary>
    /// <exception cref="InvalidOperationException">The request alone exceeds the budget (a planning error).</exception>
    public async ValueTask ReserveAsync(long bytes, CancellationToken cancellationToken)
    {
        if (bytes > Budget)
        {
            throw new InvalidOperationException($"a reservation of {bytes} bytes exceeds the budget of {Budget} bytes");
        }

        while (true)
        {
            lock (_lock)
            {
                if (_inUse + bytes <= Budget)
                {
                    _inUse += bytes;
                    _peak = Math.Max(_peak, _inUse);
                    return;
                }
            }

            await _released.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Returns <paramref name="bytes"/>.</summary>
    public void Release(long bytes)
    {
        lock (_lock)
        {
            _inUse -= bytes;
        }

        _released.Release();
    }
}
