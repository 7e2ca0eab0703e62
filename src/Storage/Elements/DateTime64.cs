using System.Globalization;

namespace ChunkCompute.Storage;

/// <summary>
/// One NumPy <c>datetime64</c> element: a signed count of the array's unit (see <see cref="DataType.Unit"/>) since
/// 1970-01-01T00:00:00, or NaT (not a time, <see cref="long.MinValue"/>).
/// </summary>
public readonly struct DateTime64 : IEquatable<DateTime64>, IComparable<DateTime64>
{
    /// <summary>Wraps a count of the unit.</summary>
    public DateTime64(long value) => Value = value;

    /// <summary>Not a time.</summary>
    public static DateTime64 NaT => new(long.MinValue);

    /// <summary>The count of the unit since the epoch (<see cref="long.MinValue"/> for NaT).</summary>
    public long Value { get; }

    /// <summary>True for NaT.</summary>
    public bool IsNaT => Value == long.MinValue;

    /// <summary>The difference in the same unit (NaT when either side is NaT; wraps as NumPy on overflow).</summary>
    public static TimeDelta64 operator -(DateTime64 left, DateTime64 right) =>
        left.IsNaT || right.IsNaT ? TimeDelta64.NaT : new TimeDelta64(unchecked(left.Value - right.Value));

    /// <summary>Equality of the stored counts (NaT equals NaT here, unlike NumPy's <c>==</c>).</summary>
    public static bool operator ==(DateTime64 left, DateTime64 right) => left.Value == right.Value;

    /// <summary>Inequality of the stored counts.</summary>
    public static bool operator !=(DateTime64 left, DateTime64 right) => left.Value != right.Value;

    /// <inheritdoc/>
    public int CompareTo(DateTime64 other) => Value.CompareTo(other.Value);

    /// <inheritdoc/>
    public bool Equals(DateTime64 other) => Value == other.Value;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is DateTime64 d && Equals(d);

    /// <inheritdoc/>
    public override int GetHashCode() => Value.GetHashCode();

    /// <inheritdoc/>
    public override string ToString() => IsNaT ? "NaT" : Value.ToString(CultureInfo.InvariantCulture);
}
