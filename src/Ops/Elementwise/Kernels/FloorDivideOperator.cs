using System.Numerics;

namespace ChunkCompute.Ops;

/// <summary>NumPy <c>floor_divide</c> for integers: rounds toward −∞; x // 0 is 0 and MinValue // −1 wraps to MinValue.</summary>
/// <typeparam name="T">An integer type.</typeparam>
internal readonly struct FloorDivideOperator<T> : IBinaryElementOperator<T, T>
    where T : INumber<T>
{
    /// <inheritdoc/>
    public static T Invoke(T x, T y)
    {
        if (y == T.Zero)
        {
            return T.Zero;
        }

        if (T.IsNegative(y) && y == -T.One)
        {
            return -x; // unchecked: MinValue // −1 == MinValue, as NumPy (which also warns).
        }

        T q = x / y;
        return T.IsNegative(x) != T.IsNegative(y) && q * y != x ? q - T.One : q;
    }
}
