using System.Globalization;

namespace ChunkCompute.Storage;

/// <summary>
/// One NumPy <c>timedelta64</c> element: a signed count of the array's unit (see <see cref="DataType.Unit"/>), or NaT
/// (<see cref="long.MinValue"/>).
/// </summary>
public readonly struct TimeDelta64 : IEquatable<TimeDelta64>, IComparable<TimeDelta64>
{
    /// <summary>Wraps a count of the unit.</summary>
    public TimeDelta64(long value) => Value = value;

    /// <summary>Not a time.</summary>
    public static TimeDelta64 NaT => new(long.MinValue);

    /// <summary>The count of the unit (<see cref="long.MinValue"/> for NaT).</summary>
    public long Value { get; }

    /// <summary>True for NaT.</summary>
    public bool IsNaT => Value == long.MinValue;

    /// <summary>Equality of the stored counts (NaT equals NaT here, unlike NumPy's <c>==</c>).</summary>
    public static bool operator ==(TimeDelta64 left, TimeDelta64 right) => left.Value == right.Value;

    /// <summary>Inequality of the stored counts.</summary>
    public static bool operator !=(TimeDelta64 left, TimeDelta64 right) => left.Value != right.Value;

    /// <inheritdoc/>
    public int CompareTo(TimeDelta64 other) => Value.CompareTo(other.Value);

    /// <inheritdoc/>
    public bool Equals(TimeDelta64 other) => Value == other.Value;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is TimeDelta64 d && Equals(d);

    /// <inheritdoc/>
    public override int GetHashCode() => Value.GetHashCode();

    /// <inheritdoc/>
    public override string ToString() => IsNaT ? "NaT" : Value.ToString(CultureInfo.InvariantCulture);
}
