using System.Numerics;
using System.Runtime.CompilerServices;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// Complex arithmetic as NumPy's loops do it: (ac − bd) + (ad + bc)i for products and Smith's algorithm (with the
/// reciprocal of the scaled denominator) for quotients, in the element's own precision.
/// </summary>
internal static class ComplexMath
{
    public static Complex Multiply(Complex a, Complex b) =>
        new((a.Real * b.Real) - (a.Imaginary * b.Imaginary), (a.Real * b.Imaginary) + (a.Imaginary * b.Real));

    public static Complex Divide(Complex a, Complex b)
    {
        double ar = a.Real, ai = a.Imaginary, br = b.Real, bi = b.Imaginary;
        double absR = Math.Abs(br), absI = Math.Abs(bi);
        if (absR >= absI)
        {
            if (absR == 0 && absI == 0)
            {
                return new(ar / absR, ai / absI);
            }

            double rat = bi / br;
            double scl = 1.0 / (br + (bi * rat));
            return new((ar + (ai * rat)) * scl, (ai - (ar * rat)) * scl);
        }
        else
        {
            double rat = br / bi;
            double scl = 1.0 / (bi + (br * rat));
            return new(((ar * rat) + ai) * scl, ((ai * rat) - ar) * scl);
        }
    }

    /// <summary><paramref name="operation"/> on two complex64 or complex128 values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Apply<T>(BinaryOperation operation, T a, T b)
        where T : unmanaged
    {
        if (typeof(T) == typeof(Complex))
        {
            var x = Unsafe.As<T, Complex>(ref a);
            var y = Unsafe.As<T, Complex>(ref b);
            Complex r = operation switch
            {
                BinaryOperation.Add => x + y,
                BinaryOperation.Subtract => x - y,
                BinaryOperation.Multiply => Multiply(x, y),
                _ => Divide(x, y),
            };
            return Unsafe.As<Complex, T>(ref r);
        }
        else
        {
            var x = Unsafe.As<T, Complex32>(ref a);
            var y = Unsafe.As<T, Complex32>(ref b);
            Complex32 r = operation switch
            {
                BinaryOperation.Add => x + y,
                BinaryOperation.Subtract => x - y,
                BinaryOperation.Multiply => x * y,
                _ => x / y,
            };
            return Unsafe.As<Complex32, T>(ref r);
        }
    }
}
