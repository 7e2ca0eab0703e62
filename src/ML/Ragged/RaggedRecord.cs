namespace ChunkCompute.ML;

/// <summary>One record of a ragged array: its values (C order) and its shape.</summary>
/// <typeparam name="T">The element type.</typeparam>
public readonly struct RaggedRecord<T>
{
    /// <summary>A record of <paramref name="values"/> (C order) with shape <paramref name="shape"/>.</summary>
    public RaggedRecord(T[] values, long[] shape)
    {
        Values = values ?? throw new ArgumentNullException(nameof(values));
        Shape = shape ?? throw new ArgumentNullException(nameof(shape));
    }

    /// <summary>A one-dimensional record.</summary>
    public RaggedRecord(T[] values)
        : this(values, [values?.Length ?? throw new ArgumentNullException(nameof(values))])
    {
    }

    /// <summary>The values in C order.</summary>
    public T[] Values { get; }

    /// <summary>The record's shape (its product is <see cref="Length"/>).</summary>
    public long[] Shape { get; }

    /// <summary>The number of values.</summary>
    public int Length => Values.Length;

    /// <summary>Deconstructs into values and shape.</summary>
    public void Deconstruct(out T[] values, out long[] shape)
    {
        values = Values;
        shape = Shape;
    }

    /// <inheritdoc/>
    public override string ToString() => $"record [{string.Join(", ", Shape ?? [])}]";
}
