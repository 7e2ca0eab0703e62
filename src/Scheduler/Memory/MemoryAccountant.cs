namespace ChunkCompute.Scheduler;

/// <summary>
/// Counts bytes against one memory budget. A computation's executor has its own (a task's bytes are reserved before
/// it may start and released as its buffers are freed; a reservation that does not fit waits for releases). One
/// accountant can also be shared, as <see cref="ComputeOptions.SharedMemory"/>, by several computations and ML batch
/// streams: each computation then reserves its plan's projected peak before it starts, and each batch stream
/// <see cref="Lease"/>s its buffers for as long as it runs, so together they never exceed <see cref="Budget"/>.
/// </summary>
public sealed class MemoryAccountant
{
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _released = new(0);
    private long _inUse;
    private long _peak;
    private long _leased;

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

    /// <summary>Bytes held by <see cref="Lease"/>s now (long-lived holders such as batch streams).</summary>
    public long LeasedBytes
    {
        get
        {
            lock (_lock)
            {
                return _leased;
            }
        }
    }

    /// <summary>Reserves <paramref name="bytes"/>, waiting while they do not fit.</summary>
    /// <exception cref="InvalidOperationException">The request alone exceeds the budget (a planning error).</exception>
    public ValueTask ReserveAsync(long bytes, CancellationToken cancellationToken)
    {
        if (bytes > Budget)
        {
            throw new InvalidOperationException($"a reservation of {bytes} bytes exceeds the budget of {Budget} bytes");
        }

        return WaitAsync(bytes, cancellationToken);
    }

    /// <summary>
    /// Reserves <paramref name="bytes"/> for <paramref name="operation"/> (a computation's projected peak), waiting while
    /// other holders use too much; refused at once when the leases alone leave too little, since waiting for them
    /// could wait for ever.
    /// </summary>
    /// <exception cref="MemoryPlanRefusedException">Budget − leased bytes is below <paramref name="bytes"/>.</exception>
    internal ValueTask ReserveForAsync(long bytes, string operation, CancellationToken cancellationToken)
    {
        long leased = LeasedBytes;
        if (bytes > Budget - leased)
        {
            throw new MemoryPlanRefusedException(
                operation, bytes, Budget - leased,
                $"{MemoryPlanRefusedException.Format(leased)} of the shared budget of {MemoryPlanRefusedException.Format(Budget)} is leased (batch streams' buffers) until their holders finish: end or dispose them first, lower their Prefetch or shuffle buffer, or raise the shared budget.");
        }

        return WaitAsync(bytes, cancellationToken);
    }

    /// <summary>
    /// Holds <paramref name="bytes"/> for <paramref name="holder"/> until the returned lease is disposed, without
    /// waiting: a long-lived holder (a batch stream's buffers) either fits now or is refused.
    /// </summary>
    /// <exception cref="MemoryPlanRefusedException">The bytes do not fit next to what is held now.</exception>
    public IDisposable Lease(long bytes, string holder)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        lock (_lock)
        {
            if (_inUse + bytes > Budget)
            {
                throw new MemoryPlanRefusedException(
                    holder, _inUse + bytes, Budget,
                    $"{MemoryPlanRefusedException.Format(_inUse)} of the shared budget is in use by other computations and streams: wait for them, lower this holder's needs, or raise the budget.");
            }

            _inUse += bytes;
            _leased += bytes;
            _peak = Math.Max(_peak, _inUse);
        }

        return new LeaseHandle(this, bytes);
    }

    private async ValueTask WaitAsync(long bytes, CancellationToken cancellationToken)
    {
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

    private sealed class LeaseHandle(MemoryAccountant owner, long bytes) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            lock (owner._lock)
            {
                owner._leased -= bytes;
            }

            owner.Release(bytes);
        }
    }
}
