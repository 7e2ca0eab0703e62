using System.Numerics;
using System.Runtime.InteropServices;
using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// NumPy's <c>bincount</c> into a fixed number of bins: the state of a chunk is one int64 count per value. Negative
/// values, and values beyond the bins, fail the task with a message naming the array and the element.
/// </summary>
internal sealed class BincountKernel<T> : ReductionKernel
    where T : unmanaged, IBinaryInteger<T>
{
    private readonly int _length;

    public BincountKernel(int length)
        : base("bincount", DataType.Int64) => _length = length;

    public override int StateSize => _length * sizeof(long);

    public override void Partial(ChunkBuffer input, ReadOnlySpan<long> origin, ReductionSpec spec, Span<byte> state)
    {
        var counts = MemoryMarshal.Cast<byte, long>(state);
        counts.Clear();
        var values = MemoryMarshal.Cast<byte, T>(input.Bytes)[..(int)input.ElementCount];
        for (int k = 0; k < values.Length; k++)
        {
            var v = values[k];
            if (T.IsNegative(v) || v >= T.CreateSaturating(_length))
            {
                throw new ArgumentException(T.IsNegative(v)
                    ? $"Bincount of {spec.InputDescription}: element {Where(input, origin, k)} is {v}; bincount needs non-negative integers"
                    : $"Bincount of {spec.InputDescription}: element {Where(input, origin, k)} is {v}, beyond the {_length} bins asked for; pass a larger minLength (e.g. Max() + 1)");
            }

            counts[int.CreateTruncating(v)]++;
        }
    }

    public override void Combine(IReadOnlyList<ChunkBuffer> parts, Span<byte> state) => CountsKernel.Add(parts, state);

    public override void Finalize(ReadOnlySpan<byte> state, Span<byte> output) => state[..output.Length].CopyTo(output);

    private static string Where(ChunkBuffer input, ReadOnlySpan<long> origin, int k)
    {
        var index = new long[input.Shape.Length];
        for (int d = index.Length - 1; d >= 0; d--)
        {
            index[d] = origin[d] + (k % input.Shape[d]);
            k /= input.Shape[d];
        }

        return "[" + string.Join(", ", index) + "]";
    }
}
