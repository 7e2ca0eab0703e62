namespace ChunkCompute.Ops;

/// <summary>
/// One elementwise reduction over a mergeable state: an identity, adding values, merging two states (associative and
/// commutative up to rounding), and finishing. Implemented by structs so the JIT specializes the kernel loops.
/// </summary>
/// <typeparam name="TIn">The input element type.</typeparam>
/// <typeparam name="TState">The state of one output element.</typeparam>
/// <typeparam name="TOut">The result element type.</typeparam>
internal interface IReduceOp<TIn, TState, TOut>
    where TIn : unmanaged
    where TState : unmanaged
    where TOut : unmanaged
{
    /// <summary>The state of an empty reduction.</summary>
    TState Identity { get; }

    /// <summary>True when <see cref="Add"/> uses the index (arg-reductions): the kernel must not merge dimensions.</summary>
    bool NeedsIndex { get; }

    /// <summary>Adds one value at reduced-position <paramref name="index"/>.</summary>
    void Add(ref TState state, TIn value, long index);

    /// <summary>Adds contiguous values; value k is at reduced-position <paramref name="index"/> + k·<paramref name="step"/>.</summary>
    void AddSpan(ref TState state, ReadOnlySpan<TIn> values, long index, long step);

    /// <summary>Merges <paramref name="other"/> into <paramref name="state"/>.</summary>
    void Merge(ref TState state, in TState other);

    /// <summary>The result for a state.</summary>
    TOut Finalize(in TState state);
}
