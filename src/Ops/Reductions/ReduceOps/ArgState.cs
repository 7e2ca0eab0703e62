namespace ChunkCompute.Ops;

/// <summary>The state of an arg-reduction: the best value so far and its index (-1 when none).</summary>
internal struct ArgState<T>
    where T : unmanaged
{
    /// <summary>The best value.</summary>
    public T Value;

    /// <summary>Its index along the reduced axis (or flat C-order index over all axes); -1 before any value.</summary>
    public long Index;
}
