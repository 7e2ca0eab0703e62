using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Scheduler;

/// <summary>
/// The counting pass of a 1-D selection whose mask is an elementwise expression of the array alone (<c>x.Extract(x &lt; t)</c>):
/// each chunk of the array is read once — piece by piece as it is decoded when it is a stored array, so it never exists
/// whole in memory — the mask is evaluated on each piece, and the selected values are compacted. Layout as
/// <see cref="CompressCountNode"/>: [int64 selected][the selected values].
/// </summary>
internal sealed unsafe class FilterCountNode : ArrayNode
{
    private readonly ArrayNode _mask;

    public FilterCountNode(ArrayNode input, ArrayNode mask)
        : base(DataType.UInt8, input.Grid, [input])
    {
        _mask = mask;
    }

    public override string Label => "compress-count";

    /// <summary>True when <paramref name="mask"/> reads only <paramref name="input"/>, element for element (so it can be evaluated piece by piece beside it).</summary>
    public static bool Applies(ArrayNode input, ArrayNode mask) =>
        input.Grid.Rank == 1 && input.Grid.ChunkCount > 0 && mask.Inputs.Count == 1 && ReferenceEquals(mask.Inputs[0], input)
        && mask.Grid.Equals(input.Grid) && mask.CanStream([0]);

    public override long OutputBytes(ReadOnlySpan<long> chunkIndex) => sizeof(long) + (Grid.ChunkElements(chunkIndex) * Inputs[0].DataType.Size);

    /// <summary>The mask's pieces.</summary>
    public override long ScratchBytes(ReadOnlySpan<long> chunkIndex) => _mask.StreamBytes(chunkIndex);

    public override bool ConsumesStream(ReadOnlySpan<long> chunkIndex) => true;

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        dependencies.Add(new ChunkDependency(0, chunkIndex.ToArray()));
    }

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        int es = Inputs[0].DataType.Size;
        byte* output = (byte*)context.Output.Pointer;
        byte* target = output + sizeof(long);
        long kept = 0;
        var source = context.InputStream ?? new WholeStream(context.Inputs[0]);
        var feeder = new PieceFeeder();
        using var masks = _mask.OpenStream(new ChunkStreamContext(context.ChunkIndex, context.Scratch!, feeder, context.CancellationToken));
        while (source.TryRead(out var values, out long first))
        {
            // The piece stays pinned while the mask is evaluated over it and its selected values are copied (a
            // decoder's piece may live in a managed buffer that a collection could move): the feeder hands the mask
            // stream this piece only inside this block.
            fixed (byte* piece = values)
            {
                feeder.Set(piece, values.Length, first);
                if (!masks.TryRead(out var flags, out _))
                {
                    break;
                }

                fixed (byte* mask = flags)
                {
                    long rows = flags.Length;
                    byte* to = target + (kept * es);
                    kept += es switch
                    {
                        8 => Compaction.Compact((ulong*)piece, (bool*)mask, rows, (ulong*)to),
                        4 => Compaction.Compact((uint*)piece, (bool*)mask, rows, (uint*)to),
                        2 => Compaction.Compact((ushort*)piece, (bool*)mask, rows, (ushort*)to),
                        1 => Compaction.Compact(piece, (bool*)mask, rows, to),
                        _ => CompactRows(piece, mask, rows, to, es),
                    };
                }

                feeder.Set(null, 0, 0);
            }
        }

        *(long*)output = kept;
    }

    private static long CompactRows(byte* source, byte* mask, long rows, byte* target, int es)
    {
        long at = 0;
        for (long r = 0; r < rows; r++)
        {
            if (mask[r] != 0)
            {
                Buffer.MemoryCopy(source + (r * es), target + (at++ * es), es, es);
            }
        }

        return at;
    }

    // The mask's input stream: the one pinned piece of the array set by Execute, read once.
    private sealed class PieceFeeder : ChunkStream
    {
        private byte* _piece;
        private int _length;
        private long _first;
        private bool _fresh;

        public void Set(byte* piece, int length, long first)
        {
            _piece = piece;
            _length = length;
            _first = first;
            _fresh = piece != null;
        }

        public override bool TryRead(out ReadOnlySpan<byte> values, out long firstElement)
        {
            firstElement = _first;
            values = _fresh ? new ReadOnlySpan<byte>(_piece, _length) : default;
            bool fresh = _fresh;
            _fresh = false;
            return fresh;
        }
    }

    // A whole chunk as one piece (the array's chunk was not streamed: another task reads it too).
    private sealed class WholeStream(ChunkBuffer buffer) : ChunkStream
    {
        private bool _read;

        public override bool TryRead(out ReadOnlySpan<byte> values, out long firstElement)
        {
            firstElement = 0;
            values = _read ? default : buffer.Bytes;
            bool first = !_read;
            _read = true;
            return first;
        }
    }
}
