namespace ChunkCompute.Ops;

/// <summary>The kinds of <see cref="SliceSpec"/>.</summary>
public enum SliceSpecKind
{
    /// <summary><c>start:stop:step</c>: keeps the dimension.</summary>
    Slice,

    /// <summary>An integer: drops the dimension.</summary>
    Index,

    /// <summary><c>...</c>: whole dimensions filling the rest.</summary>
    Ellipsis,
}
