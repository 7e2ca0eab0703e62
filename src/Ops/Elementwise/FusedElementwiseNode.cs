using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>
/// Every elementwise operation is one of these: an expression tree over leaf nodes (sources, reductions, user
/// kernels — anything not elementwise), evaluated as ONE task per output chunk. Building an operation on top of
/// another elementwise array of the same shape inlines that array's tree instead of reading its output, so a chain
/// such as <c>exp((x + 1) * y)</c> is a single node labelled <c>fused(add,multiply,exp)</c>.
/// </summary>
/// <remarks>
/// <para>Kernel: the chunk is walked in tiles of <see cref="TileElements"/> elements. Each operation writes its tile
/// into its own slot of the task's scratch memory (the root writes straight into the output chunk), using
/// TensorPrimitives or a struct-operator loop, so intermediates exist only at tile size and the output is written
/// in one pass. Element types are fixed when the tree is built, so nothing is dispatched per element.</para>
/// <para>Broadcasting: an operand stretched along some dimension is expanded to the output chunk's shape into
/// scratch once per chunk; that memory is counted in <see cref="ScratchBytes"/> with the tile slots.</para>
/// <para>Policy: an elementwise operand is inlined only when its shape equals the output's (a small operand that is
/// broadcast stays its own task, so its work is not repeated per output element), and only while the tree has at
/// most <see cref="MaxOperations"/> operations. An inlined array that is also computed elsewhere is computed twice
/// (cheap for elementwise work; as Dask's fusion does).</para>
/// </remarks>
public sealed unsafe class FusedElementwiseNode : ArrayNode
{
    /// <summary>Elements per tile (a slot holds a tile of the widest element, complex128).</summary>
    public const int TileElements = 2048;

    /// <summary>Most operations inlined into one node; a longer chain starts a new node.</summary>
    public const int MaxOperations = 64;

    private const int SlotBytes = TileElements * 16;

    private readonly ElementwiseExpression _root;
    private readonly int _slotCount;
    private readonly bool[] _stretched;
    private readonly string[] _operations;

    internal FusedElementwiseNode(ElementwiseExpression root, ChunkGrid grid)
        : this(Bind(root), grid)
    {
    }

    private FusedElementwiseNode((ElementwiseExpression Root, ExpressionBinder Binder) bound, ChunkGrid grid)
        : base(bound.Root.DataType, grid, bound.Binder.Leaves)
    {
        _root = bound.Root;
        _slotCount = bound.Binder.SlotCount;
        _operations = [.. bound.Binder.Labels];
        _stretched = Inputs.Select(i => Broadcasting.IsStretched(i.Grid.Shape, grid.Shape)).ToArray();
    }

    /// <summary>The operations evaluated per element, in evaluation order (<c>["add", "multiply", "exp"]</c>).</summary>
    public IReadOnlyList<string> Operations => _operations;

    /// <summary>True when more than one operation runs in this node.</summary>
    public bool IsFused => _operations.Length > 1;

    /// <inheritdoc/>
    public override IReadOnlyList<string?>? DimensionNames => NamesOfSameShapedInput();

    /// <inheritdoc/>
    public override string Label => IsFused ? $"fused({string.Join(",", _operations)})" : _operations[0];

    /// <summary>The bound expression tree (for fusing further operations on top of this node).</summary>
    internal ElementwiseExpression Root => _root;

    /// <inheritdoc/>
    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        for (int k = 0; k < Inputs.Count; k++)
        {
            dependencies.Add(new ChunkDependency(k, Broadcasting.InputChunk(Inputs[k].Grid.Shape, Grid.Shape, chunkIndex)));
        }
    }

    /// <inheritdoc/>
    public override long ScratchBytes(ReadOnlySpan<long> chunkIndex)
    {
        long bytes = (long)_slotCount * SlotBytes;
        long elements = Grid.ChunkElements(chunkIndex);
        for (int k = 0; k < Inputs.Count; k++)
        {
            if (_stretched[k])
            {
                bytes += AlignUp(elements * Inputs[k].DataType.Size);
            }
        }

        return bytes;
    }

    /// <inheritdoc/>
    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var shape = Grid.ChunkShape(context.ChunkIndex);
        int count = checked((int)Grid.ChunkElements(context.ChunkIndex));
        byte* scratch = context.Scratch is null ? null : (byte*)context.Scratch.Pointer;
        var leaves = new byte*[Inputs.Count];
        long expanded = (long)_slotCount * SlotBytes;
        for (int k = 0; k < leaves.Length; k++)
        {
            var input = context.Inputs[k];
            if (_stretched[k])
            {
                byte* destination = scratch + expanded;
                BroadcastExpander.Expand((byte*)input.Pointer, input.Shape, destination, shape, Inputs[k].DataType.Size);
                leaves[k] = destination;
                expanded += AlignUp((long)count * Inputs[k].DataType.Size);
            }
            else
            {
                leaves[k] = (byte*)input.Pointer;
            }
        }

        var state = new TileState(leaves, scratch, SlotBytes);
        void* output = context.Output.Pointer;
        for (int start = 0; start < count; start += TileElements)
        {
            state.Start = start;
            state.Length = Math.Min(TileElements, count - start);
            _root.EvaluateInto(state, output);
        }
    }

    /// <summary>
    /// True when the node reads one input on its own grid without broadcasting: it then evaluates each piece of that
    /// input's stream as it arrives (see <see cref="ChunkStream"/>).
    /// </summary>
    public override bool CanStream(ReadOnlySpan<long> chunkIndex) => Inputs.Count == 1 && !_stretched[0] && Inputs[0].Grid.Equals(Grid);

    /// <summary>Room for the evaluated pieces (at most a chunk) and the tile slots.</summary>
    public override long StreamBytes(ReadOnlySpan<long> chunkIndex) => AlignUp(OutputBytes(chunkIndex)) + ScratchBytes(chunkIndex);

    /// <inheritdoc/>
    public override ChunkStream OpenStream(ChunkStreamContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = context.Input ?? throw new InvalidOperationException($"{Label} streams from its input's stream, and none was given");
        byte* memory = (byte*)context.Memory.Pointer;
        byte* slots = memory + AlignUp(OutputBytes(context.ChunkIndex));
        return new PieceStream(_root, input, new TileState([null], slots, SlotBytes), memory, Inputs[0].DataType.Size, DataType.Size);
    }

    // Evaluates the expression over each piece of the input stream into the stream's own memory.
    private sealed class PieceStream : ChunkStream
    {
        private readonly ElementwiseExpression _root;
        private readonly ChunkStream _input;
        private readonly TileState _state;
        private readonly byte* _output;
        private readonly int _inputSize;
        private readonly int _outputSize;

        public PieceStream(ElementwiseExpression root, ChunkStream input, TileState state, byte* output, int inputSize, int outputSize)
        {
            _root = root;
            _input = input;
            _state = state;
            _output = output;
            _inputSize = inputSize;
            _outputSize = outputSize;
        }

        public override bool TryRead(out ReadOnlySpan<byte> values, out long firstElement)
        {
            if (!_input.TryRead(out var piece, out firstElement))
            {
                values = default;
                return false;
            }

            int count = piece.Length / _inputSize;
            fixed (byte* data = piece)
            {
                _state.SetLeaf(0, data);
                for (int start = 0; start < count; start += TileElements)
                {
                    _state.Start = start;
                    _state.Length = Math.Min(TileElements, count - start);
                    _root.EvaluateInto(_state, _output);
                }
            }

            values = new ReadOnlySpan<byte>(_output, count * _outputSize);
            return true;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _input.Dispose();
            }
        }
    }

    private static long AlignUp(long bytes) => (bytes + 63) & ~63L;

    private static (ElementwiseExpression Root, ExpressionBinder Binder) Bind(ElementwiseExpression root)
    {
        var binder = new ExpressionBinder();
        return (root.Bind(binder), binder);
    }
}
