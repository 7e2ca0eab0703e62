using System.Numerics;
using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// Complex arrays: + − × ÷ (as NumPy computes them, in the element's precision), <c>Abs</c> (magnitude, real),
/// <c>Real</c>, <c>Imag</c> and <c>Conj</c>; datetime64 − datetime64 → timedelta64 of the same unit.
/// </summary>
public static partial class ElementwiseOperators
{
    /// <summary>Operators and functions of complex128 arrays.</summary>
    extension(ChunkedArray<Complex>)
    {
        /// <summary>Elementwise sum.</summary>
        /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
        public static ChunkedArray<Complex> operator +(ChunkedArray<Complex> left, ChunkedArray<Complex> right) => ComplexArithmetic(BinaryOperation.Add, left, right);

        /// <summary>Adds a constant.</summary>
        public static ChunkedArray<Complex> operator +(ChunkedArray<Complex> left, Complex right) => ComplexArithmetic(BinaryOperation.Add, left, right);

        /// <summary>Elementwise difference.</summary>
        /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
        public static ChunkedArray<Complex> operator -(ChunkedArray<Complex> left, ChunkedArray<Complex> right) => ComplexArithmetic(BinaryOperation.Subtract, left, right);

        /// <summary>Subtracts a constant.</summary>
        public static ChunkedArray<Complex> operator -(ChunkedArray<Complex> left, Complex right) => ComplexArithmetic(BinaryOperation.Subtract, left, right);

        /// <summary>Elementwise product, (ac − bd) + (ad + bc)i.</summary>
        /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
        public static ChunkedArray<Complex> operator *(ChunkedArray<Complex> left, ChunkedArray<Complex> right) => ComplexArithmetic(BinaryOperation.Multiply, left, right);

        /// <summary>Multiplies by a constant.</summary>
        public static ChunkedArray<Complex> operator *(ChunkedArray<Complex> left, Complex right) => ComplexArithmetic(BinaryOperation.Multiply, left, right);

        /// <summary>Elementwise quotient (Smith's algorithm, as NumPy).</summary>
        /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
        public static ChunkedArray<Complex> operator /(ChunkedArray<Complex> left, ChunkedArray<Complex> right) => ComplexArithmetic(BinaryOperation.Divide, left, right);

        /// <summary>Divides by a constant.</summary>
        public static ChunkedArray<Complex> operator /(ChunkedArray<Complex> left, Complex right) => ComplexArithmetic(BinaryOperation.Divide, left, right);
    }

    /// <summary>Functions of complex128 arrays.</summary>
    /// <param name="x">The array.</param>
    extension(ChunkedArray<Complex> x)
    {
        /// <summary>The magnitude |x| as float64, computed as NumPy's vectorized <c>abs</c> (larger · sqrt(1 + ratio²)).</summary>
        public ChunkedArray<double> Abs() => ElementwiseBuilder.Unary<Complex, double>(x, e => new MapExpression<Complex, double>("abs", Hypot64, e));

        /// <summary>The real parts, as float64.</summary>
        public ChunkedArray<double> Real() => ElementwiseBuilder.Unary<Complex, double>(x, e => new MapExpression<Complex, double>("real", c => c.Real, e));

        /// <summary>The imaginary parts, as float64.</summary>
        public ChunkedArray<double> Imag() => ElementwiseBuilder.Unary<Complex, double>(x, e => new MapExpression<Complex, double>("imag", c => c.Imaginary, e));

        /// <summary>The complex conjugates.</summary>
        public ChunkedArray<Complex> Conj() => ElementwiseBuilder.Unary<Complex, Complex>(x, e => new MapExpression<Complex, Complex>("conj", c => new Complex(c.Real, -c.Imaginary), e));
    }

    /// <summary>Operators of complex64 arrays.</summary>
    extension(ChunkedArray<Complex32>)
    {
        /// <summary>Elementwise sum.</summary>
        /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
        public static ChunkedArray<Complex32> operator +(ChunkedArray<Complex32> left, ChunkedArray<Complex32> right) => ComplexArithmetic(BinaryOperation.Add, left, right);

        /// <summary>Adds a constant.</summary>
        public static ChunkedArray<Complex32> operator +(ChunkedArray<Complex32> left, Complex32 right) => ComplexArithmetic(BinaryOperation.Add, left, right);

        /// <summary>Elementwise difference.</summary>
        /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
        public static ChunkedArray<Complex32> operator -(ChunkedArray<Complex32> left, ChunkedArray<Complex32> right) => ComplexArithmetic(BinaryOperation.Subtract, left, right);

        /// <summary>Subtracts a constant.</summary>
        public static ChunkedArray<Complex32> operator -(ChunkedArray<Complex32> left, Complex32 right) => ComplexArithmetic(BinaryOperation.Subtract, left, right);

        /// <summary>Elementwise product in float32, (ac − bd) + (ad + bc)i.</summary>
        /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
        public static ChunkedArray<Complex32> operator *(ChunkedArray<Complex32> left, ChunkedArray<Complex32> right) => ComplexArithmetic(BinaryOperation.Multiply, left, right);

        /// <summary>Multiplies by a constant.</summary>
        public static ChunkedArray<Complex32> operator *(ChunkedArray<Complex32> left, Complex32 right) => ComplexArithmetic(BinaryOperation.Multiply, left, right);

        /// <summary>Elementwise quotient in float32 (Smith's algorithm, as NumPy).</summary>
        /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
        public static ChunkedArray<Complex32> operator /(ChunkedArray<Complex32> left, ChunkedArray<Complex32> right) => ComplexArithmetic(BinaryOperation.Divide, left, right);

        /// <summary>Divides by a constant.</summary>
        public static ChunkedArray<Complex32> operator /(ChunkedArray<Complex32> left, Complex32 right) => ComplexArithmetic(BinaryOperation.Divide, left, right);
    }

    /// <summary>Functions of complex64 arrays.</summary>
    /// <param name="x">The array.</param>
    extension(ChunkedArray<Complex32> x)
    {
        /// <summary>The magnitude |x| as float32, computed in float32 as NumPy's vectorized <c>abs</c>.</summary>
        public ChunkedArray<float> Abs() => ElementwiseBuilder.Unary<Complex32, float>(x, e => new MapExpression<Complex32, float>("abs", Hypot32, e));

        /// <summary>The real parts, as float32.</summary>
        public ChunkedArray<float> Real() => ElementwiseBuilder.Unary<Complex32, float>(x, e => new MapExpression<Complex32, float>("real", c => c.Real, e));

        /// <summary>The imaginary parts, as float32.</summary>
        public ChunkedArray<float> Imag() => ElementwiseBuilder.Unary<Complex32, float>(x, e => new MapExpression<Complex32, float>("imag", c => c.Imaginary, e));

        /// <summary>The complex conjugates.</summary>
        public ChunkedArray<Complex32> Conj() => ElementwiseBuilder.Unary<Complex32, Complex32>(x, e => new MapExpression<Complex32, Complex32>("conj", c => c.Conjugate(), e));
    }

    /// <summary>Operators of datetime64 arrays.</summary>
    extension(ChunkedArray<DateTime64>)
    {
        /// <summary>
        /// Elementwise difference: timedelta64 of the operands' unit (NaT where either is NaT). Both operands must have
        /// the same unit.
        /// </summary>
        /// <exception cref="ArgumentException">The units differ or the shapes cannot be broadcast together.</exception>
        public static ChunkedArray<TimeDelta64> operator -(ChunkedArray<DateTime64> left, ChunkedArray<DateTime64> right)
        {
            ArgumentNullException.ThrowIfNull(left);
            ArgumentNullException.ThrowIfNull(right);
            if (left.DataType != right.DataType)
            {
                throw new ArgumentException($"cannot subtract {right.DataType.Name} from {left.DataType.Name}: convert to one unit first");
            }

            var result = DataType.TimeDelta64(left.DataType.Unit!);
            return ElementwiseBuilder.Binary<DateTime64, TimeDelta64>(left, right, (l, r) => new Map2Expression<DateTime64, TimeDelta64>("subtract", static (a, b) => a - b, l, r, result));
        }
    }

    // NumPy's complex absolute value (its SIMD loop): an infinite part gives inf, else a NaN part NaN; otherwise
    // larger · sqrt(1 + (smaller / larger)²) with a fused multiply-add, ratio 0 when larger is 0.
    private static double Hypot64(Complex c)
    {
        double re = System.Math.Abs(c.Real), im = System.Math.Abs(c.Imaginary);
        if (double.IsPositiveInfinity(re) || double.IsPositiveInfinity(im))
        {
            return double.PositiveInfinity;
        }

        if (double.IsNaN(re) || double.IsNaN(im))
        {
            return double.NaN;
        }

        double larger = System.Math.Max(re, im), smaller = System.Math.Min(re, im);
        double ratio = larger == 0 ? 0 : smaller / larger;
        return System.Math.Sqrt(System.Math.FusedMultiplyAdd(ratio, ratio, 1.0)) * larger;
    }

    private static float Hypot32(Complex32 c)
    {
        float re = MathF.Abs(c.Real), im = MathF.Abs(c.Imaginary);
        if (float.IsPositiveInfinity(re) || float.IsPositiveInfinity(im))
        {
            return float.PositiveInfinity;
        }

        if (float.IsNaN(re) || float.IsNaN(im))
        {
            return float.NaN;
        }

        float larger = MathF.Max(re, im), smaller = MathF.Min(re, im);
        float ratio = larger == 0 ? 0 : smaller / larger;
        return MathF.Sqrt(MathF.FusedMultiplyAdd(ratio, ratio, 1.0f)) * larger;
    }

    private static ChunkedArray<T> ComplexArithmetic<T>(BinaryOperation operation, ChunkedArray<T> left, ChunkedArray<T> right)
        where T : unmanaged =>
        ElementwiseBuilder.Binary<T, T>(left, right, (l, r) => new ComplexBinaryExpression<T>(operation, l, r));

    private static ChunkedArray<T> ComplexArithmetic<T>(BinaryOperation operation, ChunkedArray<T> left, T right)
        where T : unmanaged =>
        ElementwiseBuilder.Unary<T, T>(left, l => new ComplexBinaryExpression<T>(operation, l, new ScalarExpression<T>(right)));
}
