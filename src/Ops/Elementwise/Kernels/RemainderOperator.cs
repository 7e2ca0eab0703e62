using System.Numerics;

namespace ChunkCompute.Ops;

/// <summary>
/// NumPy <c>remainder</c> (Python's <c>%</c>): the result has the divisor's sign. Integers: x % 0 is 0. Floats follow
/// NumPy's <c>npy_divmod</c>: x % 0 and ±inf % y are NaN, a zero result takes the divisor's sign.
/// </summary>
/// <typeparam name="T">A numeric type.</typeparam>
internal readonly struct RemainderOperator<T> : IBinaryElementOperator<T, T>
    where T : INumber<T>
{
    /// <inheritdoc/>
    public static T Invoke(T x, T y)
    {
        if (ElementwiseKernels.IsFloatingPoint<T>())
        {
            T mod = x % y; // IEEE fmod: NaN for y == 0 or x infinite.
            if (y == T.Zero)
            {
                return mod;
            }

            if (mod != T.Zero)
            {
                return T.IsNegative(y) != T.IsNegative(mod) ? mod + y : mod;
            }

            return T.CopySign(T.Zero, y);
        }

        if (y == T.Zero || (T.IsNegative(y) && y == -T.One))
        {
            return T.Zero;
        }

        T r = x % y;
        return r != T.Zero && T.IsNegative(r) != T.IsNegative(y) ? r + y : r;
    }
}
