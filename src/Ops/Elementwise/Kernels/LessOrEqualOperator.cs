using System.Numerics;

namespace ChunkCompute.Ops;

/// <summary><c>x &lt;= y</c>.</summary>
/// <typeparam name="T">The operand type.</typeparam>
internal readonly struct LessOrEqualOperator<T> : IBinaryElementOperator<T, bool>
    where T : INumber<T>
{
    /// <inheritdoc/>
    public static bool Invoke(T x, T y) => x <= y;
}
