using System.Numerics.Tensors;

namespace ChunkCompute.Scheduler;

/// <summary>The in-memory result of a computation: C-order data with its shape, and what the run cost.</summary>
/// <typeparam name="T">The element type.</typeparam>
public sealed class ComputedArray<T>
    where T : unmanaged
{
    private readonly T[] _data;
    private readonly long[] _shape;

    internal ComputedArray(T[] data, long[] shape, ComputeStatistics statistics)
    {
        _data = data;
        _shape = shape;
        Statistics = statistics;
    }

    /// <summary>The shape ([] for a scalar).</summary>
    public IReadOnlyList<long> Shape => _shape;

    /// <summary>What the run cost: tasks, peak accounted memory, time.</summary>
    public ComputeStatistics Statistics { get; }

    /// <summary>The value of a 0-d (or one-element) result.</summary>
    /// <exception cref="InvalidOperationException">The result has more than one element.</exception>
    public T Value => _data.Length == 1 ? _data[0] : throw new InvalidOperationException($"the result has shape [{string.Join(", ", _shape)}], not a single value");

    /// <summary>The elements in C order (the array itself, not a copy).</summary>
    public T[] ToArray() => _data;

    /// <summary>A <see cref="Tensor{T}"/> over the data (no copy).</summary>
    public Tensor<T> ToTensor() => Tensor.Create(_data, _shape.Select(s => checked((nint)s)).ToArray());
}
