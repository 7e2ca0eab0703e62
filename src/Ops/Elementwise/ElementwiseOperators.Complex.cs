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
        /// <summary>The magnitude |x| (NumPy's <c>abs</c>: hypot of the parts), as float64.</summary>
        public ChunkedArray<double> Abs() => ElementwiseBuilder.Unary<Complex, double>(x, e => new MapExpression<Complex, double>("abs", c => double.Hypot(c.Real, c.Imaginary), e));

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
        /// <summary>The magnitude |x| as float32 (hypot computed in float64 and rounded, as glibc's <c>hypotf</c>).</summary>
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

    private static float Hypot32(Complex32 c)
    {
        if (float.IsInfinity(c.Real) || float.IsInfinity(c.Imaginary))
        {
            return float.PositiveInfinity;
        }

        double re = c.Real, im = c.Imaginary;
        return (float)System.Math.Sqrt((re * re) + (im * im));
    }

    private static ChunkedArray<T> ComplexArithmetic<T>(BinaryOperation operation, ChunkedArray<T> left, ChunkedArray<T> right)
        where T : unmanaged =>
        ElementwiseBuilder.Binary<T, T>(left, right, (l, r) => new ComplexBinaryExpression<T>(operation, l, r));

    private static ChunkedArray<T> ComplexArithmetic<T>(BinaryOperation operation, ChunkedArray<T> left, T right)
        where T : unmanaged =>
        ElementwiseBuilder.Unary<T, T>(left, l => new ComplexBinaryExpression<T>(operation, l, new ScalarExpression<T>(right)));
}
