using ChunkCompute.Graph;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Scheduler;

/// <summary>
/// Reuses chunk memory within one computation. Most chunk buffers of a run have a handful of sizes, and a fresh
/// multi-MiB allocation is a fresh mapping whose pages fault in on first touch (for a 2 GiB reduction, 2 GiB of page
/// faults); reused blocks are already resident. Freed blocks are kept by exact size while the kept bytes plus the
/// accountant's bytes in use stay within the budget, so chunk memory never exceeds the budget; everything is freed
/// when the computation ends. The storage layer's large buffers of a task (compressed reads, decode and write buffers,
/// encoder staging: counted in the task's <see cref="ArrayNode.HeldBytes"/>) come from here too, through the
/// <see cref="StorageBufferScope"/> the executor runs each task in, so they share the budget-bounded reuse instead of
/// sitting in managed pools outside the budget.
/// </summary>
internal sealed unsafe class ChunkBufferPool : IChunkAllocator, IStorageBufferAllocator, IDisposable
{
    private readonly Dictionary<long, Stack<nint>> _free = [];
    private readonly Lock _lock = new();
    private readonly MemoryAccountant _accountant;
    private long _kept;
    private long _allocated;
    private long _peakResident;
    private bool _disposed;
    private long _storage;
    private long _peakStorage;

    /// <summary>The most bytes this pool had at once, handed out and kept together (what it made resident).</summary>
    public long PeakResidentBytes
    {
        get
        {
            lock (_lock)
            {
                return _peakResident;
            }
        }
    }

    public ChunkBufferPool(MemoryAccountant accountant)
    {
        _accountant = accountant;
    }

    /// <summary>The most bytes of the storage layer's buffers out at once.</summary>
    public long PeakStorageBytes
    {
        get
        {
            lock (_lock)
            {
                return _peakStorage;
            }
        }
    }

    nint IStorageBufferAllocator.Allocate(long bytes)
    {
        lock (_lock)
        {
            _storage += bytes;
            _peakStorage = Math.Max(_peakStorage, _storage);
        }

        return Allocate(bytes);
    }

    void IStorageBufferAllocator.Free(nint pointer, long bytes)
    {
        lock (_lock)
        {
            _storage -= bytes;
        }

        Free(pointer, bytes);
    }

    public nint Allocate(long bytes)
    {
        lock (_lock)
        {
            _allocated += bytes;
            if (_free.TryGetValue(bytes, out var stack) && stack.Count > 0)
            {
                _kept -= bytes;
                return stack.Pop();
            }

            // A new block: drop kept blocks of other sizes first if together they would exceed the budget.
            if (_kept > 0 && _kept + _accountant.InUse > _accountant.Budget)
            {
                TrimLocked(_accountant.Budget - _accountant.InUse);
            }

            _peakResident = Math.Max(_peakResident, _allocated + _kept);
        }

        return NativeBlocks.Allocate(bytes);
    }

    public void Free(nint pointer, long bytes)
    {
        lock (_lock)
        {
            _allocated -= bytes;

            // Called before the accountant releases these bytes (chunk buffers; the storage layer's buffers while
            // their task's held bytes are reserved), so InUse still includes them.
            if (!_disposed && _kept + _accountant.InUse <= _accountant.Budget)
            {
                if (!_free.TryGetValue(bytes, out var stack))
                {
                    _free[bytes] = stack = new Stack<nint>();
                }

                stack.Push(pointer);
                _kept += bytes;
                return;
            }
        }

        NativeBlocks.Free(pointer, bytes);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            // A block freed after this (a storage buffer outliving its run) goes straight back to the system.
            _disposed = true;
            TrimLocked(0);
        }
    }

    private void TrimLocked(long keep)
    {
        foreach (var (size, stack) in _free)
        {
            while (_kept > keep && stack.Count > 0)
            {
                NativeBlocks.Free(stack.Pop(), size);
                _kept -= size;
            }
        }
    }
}
