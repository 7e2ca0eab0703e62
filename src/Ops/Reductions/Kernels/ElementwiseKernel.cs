using System.Runtime.InteropServices;
using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// A reduction whose state is one <typeparamref name="TState"/> per output element: strided loops over the input
/// chunk, with the innermost run handed to <see cref="IReduceOp{TIn, TState, TOut}.AddSpan"/> when it is reduced.
/// </summary>
internal sealed unsafe class ElementwiseKernel<TIn, TState, TOut, TOp> : ReductionKernel
    where TIn : unmanaged
    where TState : unmanaged
    where TOut : unmanaged
    where TOp : struct, IReduceOp<TIn, TState, TOut>
{
    private readonly TOp _op;

    public ElementwiseKernel(string name, TOp op, DataType? outputType = null)
        : base(name, outputType ?? DataType.Of<TOut>())
    {
        _op = op;
        if (OutputType.Size != sizeof(TOut))
        {
            throw new ArgumentException($"{name}: result type {OutputType.Name} does not match {typeof(TOut).Name}", nameof(outputType));
        }
    }

    public override int StateSize => sizeof(TState);

    public override void Partial(ChunkBuffer input, ReadOnlySpan<long> origin, ReductionSpec spec, Span<byte> stateBytes)
    {
        var op = _op;
        var state = MemoryMarshal.Cast<byte, TState>(stateBytes);
        state.Fill(op.Identity);
        var values = MemoryMarshal.Cast<byte, TIn>(input.Bytes);
        var shape = input.Shape;
        int rank = shape.Length;
        if (values.Length == 0 || input.ElementCount == 0)
        {
            return;
        }

        if (rank == 0)
        {
            op.Add(ref state[0], values[0], 0);
            return;
        }

        var reduced = spec.Reduced;
        Span<long> outStride = stackalloc long[rank];
        Span<long> argStride = stackalloc long[rank];
        long os = 1, ags = 1, argBase = 0;
        for (int d = rank - 1; d >= 0; d--)
        {
            outStride[d] = reduced[d] ? 0 : os;
            argStride[d] = reduced[d] ? ags : 0;
            if (reduced[d])
            {
                ags *= spec.InputShape[d];
            }
            else
            {
                os *= shape[d];
            }
        }

        for (int d = 0; d < rank; d++)
        {
            argBase += origin[d] * argStride[d];
        }

        // The inner run: the last dimension, widened over trailing reduced dimensions when indices do not matter.
        bool lastReduced = reduced[rank - 1];
        int inner = rank - 1;
        int innerLength = shape[rank - 1];
        if (lastReduced && !op.NeedsIndex)
        {
            while (inner > 0 && reduced[inner - 1])
            {
                inner--;
                innerLength *= shape[inner];
            }
        }

        long rows = 1;
        for (int d = 0; d < inner; d++)
        {
            rows *= shape[d];
        }

        if (!lastReduced && op is IRowSumOp<TIn, TState> rowSum && rowSum.AccumulatesRows)
        {
            AddRows(rowSum, values, state, shape, inner, innerLength, rows, outStride);
            return;
        }

        Span<int> counter = stackalloc int[Math.Max(1, inner)];
        counter.Clear();
        long lastArgStep = argStride[rank - 1];
        int inOffset = 0;
        for (long r = 0; r < rows; r++)
        {
            long outOffset = 0, argOffset = argBase;
            for (int d = 0; d < inner; d++)
            {
                outOffset += counter[d] * outStride[d];
                argOffset += counter[d] * argStride[d];
            }

            var row = values.Slice(inOffset, innerLength);
            if (lastReduced)
            {
                op.AddSpan(ref state[(int)outOffset], row, argOffset, lastArgStep);
            }
            else
            {
                var target = state.Slice((int)outOffset, innerLength);
                for (int j = 0; j < row.Length; j++)
                {
                    op.Add(ref target[j], row[j], argOffset);
                }
            }

            inOffset += innerLength;
            for (int d = inner - 1; d >= 0; d--)
            {
                if (++counter[d] < shape[d])
                {
                    break;
                }

                counter[d] = 0;
            }
        }
    }

    // The reduced axes are not the innermost: each input row adds elementwise into one row of states. Rows are summed
    // into a plain float64 buffer with SIMD and folded into the compensated states every FlushRows rows.
    private static void AddRows(IRowSumOp<TIn, TState> op, ReadOnlySpan<TIn> values, Span<TState> state, int[] shape, int inner, int innerLength, long rows, ReadOnlySpan<long> outStride)
    {
        const int FlushRows = 64;
        var acc = System.Buffers.ArrayPool<double>.Shared.Rent(state.Length);
        var counts = System.Buffers.ArrayPool<long>.Shared.Rent(state.Length);
        var widened = System.Buffers.ArrayPool<double>.Shared.Rent(innerLength);
        try
        {
            acc.AsSpan(0, state.Length).Clear();
            counts.AsSpan(0, state.Length).Clear();
            Span<int> counter = stackalloc int[Math.Max(1, inner)];
            counter.Clear();
            int inOffset = 0;
            for (long r = 0; r < rows; r++)
            {
                long outOffset = 0;
                for (int d = 0; d < inner; d++)
                {
                    outOffset += counter[d] * outStride[d];
                }

                var row = op.AsDoubles(values.Slice(inOffset, innerLength), widened);
                var target = acc.AsSpan((int)outOffset, innerLength);
                System.Numerics.Tensors.TensorPrimitives.Add(target, row, target);
                counts[outOffset]++;
                inOffset += innerLength;
                if ((r + 1) % FlushRows == 0)
                {
                    Flush(op, acc, counts, state, innerLength);
                }

                for (int d = inner - 1; d >= 0; d--)
                {
                    if (++counter[d] < shape[d])
                    {
                        break;
                    }

                    counter[d] = 0;
                }
            }

            Flush(op, acc, counts, state, innerLength);
        }
        finally
        {
            System.Buffers.ArrayPool<double>.Shared.Return(acc);
            System.Buffers.ArrayPool<long>.Shared.Return(counts);
            System.Buffers.ArrayPool<double>.Shared.Return(widened);
        }
    }

    // counts[o] counts rows added at row offset o; every element of that row of states got that many values.
    private static void Flush(IRowSumOp<TIn, TState> op, double[] acc, long[] counts, Span<TState> state, int innerLength)
    {
        for (int o = 0; o < state.Length; o += innerLength)
        {
            long n = counts[o];
            if (n == 0)
            {
                continue;
            }

            for (int j = 0; j < innerLength; j++)
            {
                op.AddSum(ref state[o + j], acc[o + j], n);
                acc[o + j] = 0;
            }

            counts[o] = 0;
        }
    }

    public override void Combine(IReadOnlyList<ChunkBuffer> parts, Span<byte> stateBytes)
    {
        var op = _op;
        var state = MemoryMarshal.Cast<byte, TState>(stateBytes);
        MemoryMarshal.Cast<byte, TState>(parts[0].Bytes)[..state.Length].CopyTo(state);
        for (int p = 1; p < parts.Count; p++)
        {
            var other = MemoryMarshal.Cast<byte, TState>(parts[p].Bytes);
            for (int i = 0; i < state.Length; i++)
            {
                op.Merge(ref state[i], in other[i]);
            }
        }
    }

    public override void Finalize(ReadOnlySpan<byte> stateBytes, Span<byte> output)
    {
        var op = _op;
        var state = MemoryMarshal.Cast<byte, TState>(stateBytes);
        var result = MemoryMarshal.Cast<byte, TOut>(output);
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = op.Finalize(in state[i]);
        }
    }
}
