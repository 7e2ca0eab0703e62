using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// A reduction whose state is one <typeparamref name="TState"/> per output element: strided loops over the input
/// chunk, with the innermost run handed to <see cref="IReduceOp{TIn, TState, TOut}.AddSpan"/> when it is reduced.
/// </summary>
internal sealed unsafe class ReduceOpKernel<TIn, TState, TOut, TOp> : ReductionKernel
    where TIn : unmanaged
    where TState : unmanaged
    where TOut : unmanaged
    where TOp : struct, IReduceOp<TIn, TState, TOut>
{
    private readonly TOp _op;

    public ReduceOpKernel(string name, TOp op, DataType? outputType = null)
        : base(name, outputType ?? DataType.Of<TOut>())
    {
        _op = op;
        if (OutputType.Size != sizeof(TOut))
        {
            throw new ArgumentException($"{name}: result type {OutputType.Name} does not match {typeof(TOut).Name}", nameof(outputType));
        }
    }

    public override int StateSize => sizeof(TState);

    public override bool CanStream => true;

    public override void Partial(ChunkBuffer input, ReadOnlySpan<long> origin, ReductionSpec spec, Span<byte> stateBytes)
    {
        var acc = new Accumulator(_op, input.Shape, origin, spec, stateBytes);
        try
        {
            if (input.ElementCount > 0)
            {
                acc.Add(MemoryMarshal.Cast<byte, TIn>(input.Bytes), 0);
            }

            acc.Finish();
        }
        finally
        {
            acc.Dispose();
        }
    }

    public override void PartialStream(ChunkStream input, int[] shape, ReadOnlySpan<long> origin, ReductionSpec spec, Span<byte> stateBytes)
    {
        var acc = new Accumulator(_op, shape, origin, spec, stateBytes);
        try
        {
            while (input.TryRead(out var values, out long first))
            {
                acc.Add(MemoryMarshal.Cast<byte, TIn>(values), first);
            }

            acc.Finish();
        }
        finally
        {
            acc.Dispose();
        }
    }

    /// <summary>
    /// Reduces one input chunk given as consecutive runs of its C-order elements (the whole chunk at once, or the
    /// pieces of a stream). The chunk is seen as rows: the last dimension, widened over trailing reduced dimensions
    /// when indices do not matter. A run may start or end inside a row: when the row is reduced, its pieces go to the
    /// same state one after the other; when it is kept, its pieces add into disjoint state elements.
    /// </summary>
    private ref struct Accumulator : IDisposable
    {
        // Rows added in plain float64 before a fold into the compensated states: float32 rows sum exactly in float64
        // over this many rows unless their magnitudes span more than ~2^21; float64 rows lose at most ~256 ulps per fold
        // (NumPy adds rows along a non-innermost axis one by one, uncompensated).
        private const int FlushRows = 256;
        private readonly TOp _op;
        private readonly Span<TState> _state;
        private readonly int[] _shape;
        private readonly long[] _outStride;
        private readonly long[] _argStride;
        private readonly long _argBase;
        private readonly long _lastArgStep;
        private readonly int _inner;
        private readonly int _innerLength;
        private readonly bool _lastReduced;
        private readonly IRowSumOp<TIn, TState>? _rowSum;
        private double[]? _rowAcc;
        private readonly long[]? _rowCounts;
        private readonly double[]? _widened;
        private long _rowsSinceFlush;

        public Accumulator(TOp op, int[] shape, ReadOnlySpan<long> origin, ReductionSpec spec, Span<byte> stateBytes)
        {
            _op = op;
            _state = MemoryMarshal.Cast<byte, TState>(stateBytes);
            _state.Fill(op.Identity);
            _shape = shape;
            int rank = shape.Length;
            var reduced = spec.Reduced;
            _outStride = new long[rank];
            _argStride = new long[rank];
            long os = 1, ags = 1, argBase = 0;
            for (int d = rank - 1; d >= 0; d--)
            {
                _outStride[d] = reduced[d] ? 0 : os;
                _argStride[d] = reduced[d] ? ags : 0;
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
                argBase += origin[d] * _argStride[d];
            }

            _argBase = argBase;
            if (rank == 0)
            {
                _inner = 0;
                _innerLength = 1;
                _lastReduced = true;
                _lastArgStep = 0;
                _rowSum = null;
                return;
            }

            _lastReduced = reduced[rank - 1];
            _lastArgStep = _argStride[rank - 1];
            int inner = rank - 1;
            long innerLength = shape[rank - 1];
            if (_lastReduced && !op.NeedsIndex)
            {
                while (inner > 0 && reduced[inner - 1])
                {
                    inner--;
                    innerLength *= shape[inner];
                }
            }

            _inner = inner;
            _innerLength = (int)Math.Min(int.MaxValue, Math.Max(1, innerLength));
            _rowSum = !_lastReduced && op is IRowSumOp<TIn, TState> rowSum && rowSum.AccumulatesRows ? rowSum : null;
            if (_rowSum is not null)
            {
                // Kept rows are summed into a plain float64 row buffer with SIMD and folded into the compensated
                // states every FlushRows rows.
                _rowAcc = System.Buffers.ArrayPool<double>.Shared.Rent(_state.Length);
                _rowCounts = System.Buffers.ArrayPool<long>.Shared.Rent(_state.Length);
                _widened = System.Buffers.ArrayPool<double>.Shared.Rent(_innerLength);
                _rowAcc.AsSpan(0, _state.Length).Clear();
                _rowCounts.AsSpan(0, _state.Length).Clear();
            }
        }

        /// <summary>Adds <paramref name="values"/>, the chunk's elements from flat C-order position <paramref name="first"/> on.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Add(ReadOnlySpan<TIn> values, long first)
        {
            var op = _op;
            if (_shape.Length == 0)
            {
                if (values.Length > 0)
                {
                    op.Add(ref _state[0], values[0], 0);
                }

                return;
            }

            long position = first;
            while (!values.IsEmpty)
            {
                long row = position / _innerLength;
                int column = (int)(position - (row * _innerLength));
                int take = Math.Min(_innerLength - column, values.Length);
                var piece = values[..take];
                long outOffset = 0, argOffset = _argBase;
                for (int d = _inner - 1; d >= 0; d--)
                {
                    long c = row % _shape[d];
                    row /= _shape[d];
                    outOffset += c * _outStride[d];
                    argOffset += c * _argStride[d];
                }

                if (_lastReduced)
                {
                    op.AddSpan(ref _state[(int)outOffset], piece, argOffset + (column * _lastArgStep), _lastArgStep);
                }
                else if (_rowSum is not null)
                {
                    _rowSum.AddRow(_rowAcc!.AsSpan((int)outOffset + column, take), piece, _widened!);
                    if (column + take == _innerLength)
                    {
                        // A row is complete: only whole rows are ever in the row buffer when it is folded.
                        _rowCounts![outOffset]++;
                        if (++_rowsSinceFlush == FlushRows)
                        {
                            Flush();
                        }
                    }
                }
                else
                {
                    var target = _state.Slice((int)outOffset + column, take);
                    for (int j = 0; j < piece.Length; j++)
                    {
                        op.Add(ref target[j], piece[j], argOffset);
                    }
                }

                position += take;
                values = values[take..];
            }
        }

        /// <summary>Folds what is still in the row buffer into the states.</summary>
        public void Finish()
        {
            if (_rowSum is not null)
            {
                Flush();
            }
        }

        // _rowCounts[o] counts rows added at row offset o; every element of that row of states got that many values.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Flush()
        {
            var acc = _rowAcc!;
            var counts = _rowCounts!;
            for (int o = 0; o < _state.Length; o += _innerLength)
            {
                long n = counts[o];
                if (n == 0)
                {
                    continue;
                }

                var sums = acc.AsSpan(o, _innerLength);
                _rowSum!.AddSums(_state.Slice(o, _innerLength), sums, n);
                sums.Clear();
                counts[o] = 0;
            }

            _rowsSinceFlush = 0;
        }

        public void Dispose()
        {
            if (_rowAcc is not null)
            {
                System.Buffers.ArrayPool<double>.Shared.Return(_rowAcc);
                System.Buffers.ArrayPool<long>.Shared.Return(_rowCounts!);
                System.Buffers.ArrayPool<double>.Shared.Return(_widened!);
                _rowAcc = null;
            }
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
