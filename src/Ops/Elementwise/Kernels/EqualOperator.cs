using System.Numerics;

namespace ChunkCompute.Ops;

/// <summary><c>x == y</c> (IEEE: NaN equals nothing).</summary>
/// <typeparam name="T">The operand type.</typeparam>
internal readonly struct EqualOperator<T> : IBinaryElementOperator<T, bool>
    where T : INumber<T>
{
    /// <inheritdoc/>
    public static bool Invoke(T x, T y) => x == y;
}
