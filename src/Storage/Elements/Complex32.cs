using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;

namespace ChunkCompute.Storage;

/// <summary>
/// A complex number of two float32 parts: the element type of Zarr <c>complex64</c> (NumPy <c>c8</c>). Arithmetic is
/// done in float32 with NumPy's formulas (Smith's algorithm for division), so results match NumPy's complex64.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct Complex32 : IEquatable<Complex32>,
    IAdditionOperators<Complex32, Complex32, Complex32>,
    ISubtractionOperators<Complex32, Complex32, Complex32>,
    IMultiplyOperators<Complex32, Complex32, Complex32>,
    IDivisionOperators<Complex32, Complex32, Complex32>
{
    /// <summary>Creates the value <paramref name="real"/> + <paramref name="imaginary"/>·i.</summary>
    public Complex32(float real, float imaginary)
    {
        Real = real;
        Imaginary = imaginary;
    }

    /// <summary>The real part.</summary>
    public float Real { get; }

    /// <summary>The imaginary part.</summary>
    public float Imaginary { get; }

    /// <summary>Sum.</summary>
    public static Complex32 operator +(Complex32 left, Complex32 right) => new(left.Real + right.Real, left.Imaginary + right.Imaginary);

    /// <summary>Difference.</summary>
    public static Complex32 operator -(Complex32 left, Complex32 right) => new(left.Real - right.Real, left.Imaginary - right.Imaginary);

    /// <summary>Product, (ac − bd) + (ad + bc)i in float32.</summary>
    public static Complex32 operator *(Complex32 left, Complex32 right) =>
        new((left.Real * right.Real) - (left.Imaginary * right.Imaginary), (left.Real * right.Imaginary) + (left.Imaginary * right.Real));

    /// <summary>Quotient by Smith's algorithm, as NumPy divides complex numbers.</summary>
    public static Complex32 operator /(Complex32 left, Complex32 right)
    {
        float ar = left.Real, ai = left.Imaginary, br = right.Real, bi = right.Imaginary;
        float absR = MathF.Abs(br), absI = MathF.Abs(bi);
        if (absR >= absI)
        {
            if (absR == 0 && absI == 0)
            {
                return new(ar / absR, ai / absI);
            }

            float rat = bi / br;
            float scl = 1.0f / (br + (bi * rat));
            return new((ar + (ai * rat)) * scl, (ai - (ar * rat)) * scl);
        }
        else
        {
            float rat = br / bi;
            float scl = 1.0f / (bi + (br * rat));
            return new(((ar * rat) + ai) * scl, ((ai * rat) - ar) * scl);
        }
    }

    /// <summary>Equality (NaN parts are unequal, as in IEEE 754).</summary>
    public static bool operator ==(Complex32 left, Complex32 right) => left.Real == right.Real && left.Imaginary == right.Imaginary;

    /// <summary>Inequality.</summary>
    public static bool operator !=(Complex32 left, Complex32 right) => !(left == right);

    /// <summary>Widens to a <see cref="Complex"/>.</summary>
    public static implicit operator Complex(Complex32 value) => new(value.Real, value.Imaginary);

    /// <summary>Narrows a <see cref="Complex"/> (each part rounded to float32).</summary>
    public static explicit operator Complex32(Complex value) => new((float)value.Real, (float)value.Imaginary);

    /// <summary>The complex conjugate.</summary>
    public Complex32 Conjugate() => new(Real, -Imaginary);

    /// <inheritdoc/>
    public bool Equals(Complex32 other) => Real.Equals(other.Real) && Imaginary.Equals(other.Imaginary);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Complex32 c && Equals(c);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Real, Imaginary);

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"<{Real}; {Imaginary}>");
}
