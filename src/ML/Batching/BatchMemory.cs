namespace ChunkCompute.ML;

/// <summary>Counts the bytes batching holds (row blocks, shuffle buffer, batches) and their peak. Thread-safe.</summary>
internal sealed class BatchMemory
{
    private long _current;
    private long _peak;
    private long _enginePeak;

    public long Current => Interlocked.Read(ref _current);

    public long Peak => Interlocked.Read(ref _peak);

    public long EnginePeak => Interlocked.Read(ref _enginePeak);

    public void Add(long bytes)
    {
        long now = Interlocked.Add(ref _current, bytes);
        long peak;
        while (now > (peak = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
        {
        }
    }

    public void Remove(long bytes) => Interlocked.Add(ref _current, -bytes);

    public void ObserveEngine(long bytes)
    {
        long peak;
        while (bytes > (peak = Interlocked.Read(ref _enginePeak)) && Interlocked.CompareExchange(ref _enginePeak, bytes, peak) != peak)
        {
        }
    }
}
