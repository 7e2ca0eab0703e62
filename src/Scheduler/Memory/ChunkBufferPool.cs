using System.Runtime.InteropServices;
using ChunkCompute.Graph;

namespace ChunkCompute.Scheduler;

/// <summary>
/// Reuses chunk memory within one computation. Most chunk buffers of a run have a handful of sizes, and a fresh
/// multi-MiB allocation is a fresh mapping whose pages fault in on first touch (for a 2 GiB reduction, 2 GiB of page
/// faults); reused blocks are already resident. Freed blocks are kept by exact size while the kept bytes plus the
/// accountant's bytes in use stay within the budget, so chunk memory never exceeds the budget; everything is freed
/// when the computation ends.
/// </summary>
internal sealed unsafe class ChunkBufferPool : IChunkAllocator, IDisposable
{
    private readonly Dictionary<long, Stack<nint>> _free = [];
    private readonly Lock _lock = new();
    private readonly MemoryAccountant _accountant;
    private long _kept;

    public ChunkBufferPool(MemoryAccountant accountant)
    {
        _accountant = accountant;
    }

    public nint Allocate(long bytes)
    {
        lock (_lock)
        {
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
        }

        return (nint)NativeMemory.AlignedAlloc((nuint)bytes, 64);
    }

    public void Free(nint pointer, long bytes)
    {
        lock (_lock)
        {
            // Called before the accountant releases these bytes, so InUse still includes them.
            if (_kept + _accountant.InUse <= _accountant.Budget)
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

        NativeMemory.AlignedFree((void*)pointer);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            TrimLocked(0);
        }
    }

    private void TrimLocked(long keep)
    {
        foreach (var (size, stack) in _free)
        {
            while (_kept > keep && stack.Count > 0)
            {
                NativeMemory.AlignedFree((void*)stack.Pop());
                _kept -= size;
            }
        }
    }
}
