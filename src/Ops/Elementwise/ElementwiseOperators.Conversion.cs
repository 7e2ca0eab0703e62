using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>Type conversion: NumPy <c>astype</c>.</summary>
public static partial class ElementwiseOperators
{
    /// <summary>Conversion of any array. In generic code call <c>x.AsType&lt;T, U&gt;()</c>; for a concrete element type, <c>x.AsType&lt;U&gt;()</c>.</summary>
    /// <param name="x">The array.</param>
    /// <typeparam name="T">The element type.</typeparam>
    extension<T>(ChunkedArray<T> x)
        where T : unmanaged
    {
        /// <summary>
        /// NumPy <c>astype(U)</c>. To floating point: the nearest value (±inf beyond the range). Integer to integer:
        /// wraps (keeps the low bits, as NumPy). Floating point to integer: truncates toward zero; NaN becomes 0 and
        /// values beyond the range saturate to MinValue/MaxValue (NumPy leaves these platform-defined — x86-64 gives
        /// MinValue; we choose .NET's saturating conversion so results do not depend on the machine). To bool: true
        /// for non-zero (NaN is true). From bool: 1 or 0. Converting to the same type returns the array itself.
        /// </summary>
        /// <typeparam name="U">The target element type.</typeparam>
        /// <exception cref="UnsupportedDataTypeException"><typeparamref name="U"/> is not a supported element type.</exception>
        public ChunkedArray<U> AsType<U>()
            where U : unmanaged
        {
            ArgumentNullException.ThrowIfNull(x);
            _ = DataType.Of<U>();
            if (typeof(T) == typeof(U))
            {
                return (ChunkedArray<U>)(object)x;
            }

            var operand = ElementwiseBuilder.Operand(x, x.Shape);

            // Built once per AsType call (not per element), through statically known instantiations only (no
            // MakeGenericType: every pair is compiled ahead of time, so Native AOT and trimming keep it).
            var root = typeof(T) == typeof(bool) ? ConversionDispatch.FromBool<U>((ElementwiseExpression<bool>)(object)operand)
                : typeof(U) == typeof(bool) ? (ElementwiseExpression<U>)(object)ConversionDispatch.ToBool(operand)
                : ConversionDispatch.Cast<T, U>(operand);
            return ElementwiseBuilder.Create(root, x.Chunks);
        }
    }

    /// <summary>Conversion of bool arrays.</summary>
    /// <param name="x">The array.</param>
    extension(ChunkedArray<bool> x)
    {
        /// <summary>NumPy <c>astype(U)</c>; see <c>AsType&lt;T, U&gt;</c> for the conversion rules.</summary>
        /// <typeparam name="U">The target element type.</typeparam>
        /// <exception cref="UnsupportedDataTypeException"><typeparamref name="U"/> is not a supported element type.</exception>
        public ChunkedArray<U> AsType<U>()
            where U : unmanaged => x.AsType<bool, U>();
    }

    /// <summary>Conversion of int8 arrays.</summary>
    /// <param name="x">The array.</param>
    extension(ChunkedArray<sbyte> x)
    {
        /// <summary>NumPy <c>astype(U)</c>; see <c>AsType&lt;T, U&gt;</c> for the conversion rules.</summary>
        /// <typeparam name="U">The target element type.</typeparam>
        /// <exception cref="UnsupportedDataTypeException"><typeparamref name="U"/> is not a supported element type.</exception>
        public ChunkedArray<U> AsType<U>()
            where U : unmanaged => x.AsType<sbyte, U>();
    }

    /// <summary>Conversion of int16 arrays.</summary>
    /// <param name="x">The array.</param>
    extension(ChunkedArray<short> x)
    {
        /// <summary>NumPy <c>astype(U)</c>; see <c>AsType&lt;T, U&gt;</c> for the conversion rules.</summary>
        /// <typeparam name="U">The target element type.</typeparam>
        /// <exception cref="UnsupportedDataTypeException"><typeparamref name="U"/> is not a supported element type.</exception>
        public ChunkedArray<U> AsType<U>()
            where U : unmanaged => x.AsType<short, U>();
    }

    /// <summary>Conversion of int32 arrays.</summary>
    /// <param name="x">The array.</param>
    extension(ChunkedArray<int> x)
    {
        /// <summary>NumPy <c>astype(U)</c>; see <c>AsType&lt;T, U&gt;</c> for the conversion rules.</summary>
        /// <typeparam name="U">The target element type.</typeparam>
        /// <exception cref="UnsupportedDataTypeException"><typeparamref name="U"/> is not a supported element type.</exception>
        public ChunkedArray<U> AsType<U>()
            where U : unmanaged => x.AsType<int, U>();
    }

    /// <summary>Conversion of int64 arrays.</summary>
    /// <param name="x">The array.</param>
    extension(ChunkedArray<long> x)
    {
        /// <summary>NumPy <c>astype(U)</c>; see <c>AsType&lt;T, U&gt;</c> for the conversion rules.</summary>
        /// <typeparam name="U">The target element type.</typeparam>
        /// <exception cref="UnsupportedDataTypeException"><typeparamref name="U"/> is not a supported element type.</exception>
        public ChunkedArray<U> AsType<U>()
            where U : unmanaged => x.AsType<long, U>();
    }

    /// <summary>Conversion of uint8 arrays.</summary>
    /// <param name="x">The array.</param>
    extension(ChunkedArray<byte> x)
    {
        /// <summary>NumPy <c>astype(U)</c>; see <c>AsType&lt;T, U&gt;</c> for the conversion rules.</summary>
        /// <typeparam name="U">The target element type.</typeparam>
        /// <exception cref="UnsupportedDataTypeException"><typeparamref name="U"/> is not a supported element type.</exception>
        public ChunkedArray<U> AsType<U>()
            where U : unmanaged => x.AsType<byte, U>();
    }

    /// <summary>Conversion of uint16 arrays.</summary>
    /// <param name="x">The array.</param>
    extension(ChunkedArray<ushort> x)
    {
        /// <summary>NumPy <c>astype(U)</c>; see <c>AsType&lt;T, U&gt;</c> for the conversion rules.</summary>
        /// <typeparam name="U">The target element type.</typeparam>
        /// <exception cref="UnsupportedDataTypeException"><typeparamref name="U"/> is not a supported element type.</exception>
        public ChunkedArray<U> AsType<U>()
            where U : unmanaged => x.AsType<ushort, U>();
    }

    /// <summary>Conversion of uint32 arrays.</summary>
    /// <param name="x">The array.</param>
    extension(ChunkedArray<uint> x)
    {
        /// <summary>NumPy <c>astype(U)</c>; see <c>AsType&lt;T, U&gt;</c> for the conversion rules.</summary>
        /// <typeparam name="U">The target element type.</typeparam>
        /// <exception cref="UnsupportedDataTypeException"><typeparamref name="U"/> is not a supported element type.</exception>
        public ChunkedArray<U> AsType<U>()
            where U : unmanaged => x.AsType<uint, U>();
    }

    /// <summary>Conversion of uint64 arrays.</summary>
    /// <param name="x">The array.</param>
    extension(ChunkedArray<ulong> x)
    {
        /// <summary>NumPy <c>astype(U)</c>; see <c>AsType&lt;T, U&gt;</c> for the conversion rules.</summary>
        /// <typeparam name="U">The target element type.</typeparam>
        /// <exception cref="UnsupportedDataTypeException"><typeparamref name="U"/> is not a supported element type.</exception>
        public ChunkedArray<U> AsType<U>()
            where U : unmanaged => x.AsType<ulong, U>();
    }

    /// <summary>Conversion of float16 arrays.</summary>
    /// <param name="x">The array.</param>
    extension(ChunkedArray<Half> x)
    {
        /// <summary>NumPy <c>astype(U)</c>; see <c>AsType&lt;T, U&gt;</c> for the conversion rules.</summary>
        /// <typeparam name="U">The target element type.</typeparam>
        /// <exception cref="UnsupportedDataTypeException"><typeparamref name="U"/> is not a supported element type.</exception>
        public ChunkedArray<U> AsType<U>()
            where U : unmanaged => x.AsType<Half, U>();
    }

    /// <summary>Conversion of float32 arrays.</summary>
    /// <param name="x">The array.</param>
    extension(ChunkedArray<float> x)
    {
        /// <summary>NumPy <c>astype(U)</c>; see <c>AsType&lt;T, U&gt;</c> for the conversion rules.</summary>
        /// <typeparam name="U">The target element type.</typeparam>
        /// <exception cref="UnsupportedDataTypeException"><typeparamref name="U"/> is not a supported element type.</exception>
        public ChunkedArray<U> AsType<U>()
            where U : unmanaged => x.AsType<float, U>();
    }

    /// <summary>Conversion of float64 arrays.</summary>
    /// <param name="x">The array.</param>
    extension(ChunkedArray<double> x)
    {
        /// <summary>NumPy <c>astype(U)</c>; see <c>AsType&lt;T, U&gt;</c> for the conversion rules.</summary>
        /// <typeparam name="U">The target element type.</typeparam>
        /// <exception cref="UnsupportedDataTypeException"><typeparamref name="U"/> is not a supported element type.</exception>
        public ChunkedArray<U> AsType<U>()
            where U : unmanaged => x.AsType<double, U>();
    }
}
