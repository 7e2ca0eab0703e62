using System.Numerics;
using System.Runtime.CompilerServices;

namespace ChunkCompute.Ops;

/// <summary>
/// Maps numbers to unsigned keys of <see cref="Bits"/> bits whose unsigned order is the numbers' order (floats: the
/// sign bit flipped for positives, all bits for negatives; signed integers: the sign bit flipped), so order statistics
/// can be found digit by digit from histograms. Element types other than the primitive numbers go through double.
/// NaN has no key (callers test <see cref="IsNaN"/> first).
/// </summary>
internal static class SortableKeys<T>
    where T : unmanaged, INumberBase<T>
{
    /// <summary>The key width in bits.</summary>
    public static readonly int Bits =
        typeof(T) == typeof(float) || typeof(T) == typeof(int) || typeof(T) == typeof(uint) ? 32
        : typeof(T) == typeof(Half) || typeof(T) == typeof(short) || typeof(T) == typeof(ushort) ? 16
        : typeof(T) == typeof(sbyte) || typeof(T) == typeof(byte) ? 8
        : 64;

    public static bool IsNaN(T value) => T.IsNaN(value);

    public static ulong Key(T value)
    {
        if (typeof(T) == typeof(float))
        {
            uint bits = BitConverter.SingleToUInt32Bits(Unsafe.As<T, float>(ref value));
            return bits ^ ((uint)((int)bits >> 31) | 0x8000_0000u);
        }

        if (typeof(T) == typeof(Half))
        {
            ushort bits = BitConverter.HalfToUInt16Bits(Unsafe.As<T, Half>(ref value));
            return (ushort)((bits & 0x8000) != 0 ? ~bits : bits | 0x8000);
        }

        if (typeof(T) == typeof(long))
        {
            return (ulong)Unsafe.As<T, long>(ref value) ^ 0x8000_0000_0000_0000UL;
        }

        if (typeof(T) == typeof(int))
        {
            return (uint)Unsafe.As<T, int>(ref value) ^ 0x8000_0000u;
        }

        if (typeof(T) == typeof(short))
        {
            return (ushort)(Unsafe.As<T, short>(ref value) ^ unchecked((short)0x8000));
        }

        if (typeof(T) == typeof(sbyte))
        {
            return (byte)(Unsafe.As<T, sbyte>(ref value) ^ unchecked((sbyte)0x80));
        }

        if (typeof(T) == typeof(ulong))
        {
            return Unsafe.As<T, ulong>(ref value);
        }

        if (typeof(T) == typeof(uint))
        {
            return Unsafe.As<T, uint>(ref value);
        }

        if (typeof(T) == typeof(ushort))
        {
            return Unsafe.As<T, ushort>(ref value);
        }

        if (typeof(T) == typeof(byte))
        {
            return Unsafe.As<T, byte>(ref value);
        }

        return DoubleKey(typeof(T) == typeof(double) ? Unsafe.As<T, double>(ref value) : double.CreateTruncating(value));
    }

    /// <summary>The value (as double, the quantiles' type) whose key is <paramref name="key"/>.</summary>
    public static double Value(ulong key)
    {
        if (typeof(T) == typeof(float))
        {
            uint k = (uint)key;
            return BitConverter.UInt32BitsToSingle((k & 0x8000_0000u) != 0 ? k & 0x7FFF_FFFFu : ~k);
        }

        if (typeof(T) == typeof(Half))
        {
            ushort k = (ushort)key;
            return (double)BitConverter.UInt16BitsToHalf((ushort)((k & 0x8000) != 0 ? k & 0x7FFF : ~k));
        }

        if (typeof(T) == typeof(long))
        {
            return (long)(key ^ 0x8000_0000_0000_0000UL);
        }

        if (typeof(T) == typeof(int))
        {
            return (int)((uint)key ^ 0x8000_0000u);
        }

        if (typeof(T) == typeof(short))
        {
            return (short)((ushort)key ^ 0x8000);
        }

        if (typeof(T) == typeof(sbyte))
        {
            return (sbyte)((byte)key ^ 0x80);
        }

        if (typeof(T) == typeof(ulong) || typeof(T) == typeof(uint) || typeof(T) == typeof(ushort) || typeof(T) == typeof(byte))
        {
            return key;
        }

        return BitConverter.UInt64BitsToDouble((key & 0x8000_0000_0000_0000UL) != 0 ? key & 0x7FFF_FFFF_FFFF_FFFFUL : ~key);
    }

    // Branch-free: negatives flip every bit (the arithmetic shift spreads the sign), positives only the sign bit.
    private static ulong DoubleKey(double value)
    {
        ulong bits = BitConverter.DoubleToUInt64Bits(value);
        return bits ^ ((ulong)((long)bits >> 63) | 0x8000_0000_0000_0000UL);
    }
}
