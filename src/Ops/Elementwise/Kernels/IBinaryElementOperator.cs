namespace ChunkCompute.Ops;

/// <summary>
/// A scalar binary operation as a struct with a static abstract method (the runtime's <c>IBinaryOperator&lt;T&gt;</c>
/// pattern), so the drivers in <see cref="ElementwiseKernels"/> are specialized and inlined per operator: no delegate
/// call per element.
/// </summary>
/// <typeparam name="T">The operand type.</typeparam>
/// <typeparam name="TResult">The result type.</typeparam>
internal interface IBinaryElementOperator<T, TResult>
{
    /// <summary>Applies the operation to one pair of elements.</summary>
    static abstract TResult Invoke(T x, T y);
}
