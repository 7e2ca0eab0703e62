namespace ChunkCompute.Ops;

/// <summary>
/// Where a fused kernel is in its chunk: the leaves' data (whole chunks, broadcast inputs already expanded), the tile
/// slots in scratch memory, and the current tile's element range. One per running chunk task; never shared.
/// </summary>
internal sealed unsafe class TileState
{
    private readonly byte*[] _leaves;
    private readonly byte* _slots;
    private readonly int _slotBytes;

    /// <summary>Creates the state for one chunk.</summary>
    public TileState(byte*[] leaves, byte* slots, int slotBytes)
    {
        _leaves = leaves;
        _slots = slots;
        _slotBytes = slotBytes;
    }

    /// <summary>Points leaf <paramref name="leaf"/> at other data (the current piece of a streamed input).</summary>
    public void SetLeaf(int leaf, byte* data) => _leaves[leaf] = data;

    /// <summary>The first element of the current tile, as an offset into the chunk.</summary>
    public int Start { get; set; }

    /// <summary>Elements in the current tile.</summary>
    public int Length { get; set; }

    /// <summary>The current tile of leaf <paramref name="leaf"/>.</summary>
    public ReadOnlySpan<T> Leaf<T>(int leaf)
        where T : unmanaged => new((T*)_leaves[leaf] + Start, Length);

    /// <summary>The tile buffer of slot <paramref name="slot"/>, <see cref="Length"/> elements long.</summary>
    public Span<T> Slot<T>(int slot)
        where T : unmanaged => new(_slots + ((long)slot * _slotBytes), Length);
}
