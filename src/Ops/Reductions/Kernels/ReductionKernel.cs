using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// The three steps of a tree reduction over one kind of mergeable state (Dask's chunk / combine / aggregate):
/// reduce an input chunk to states, merge a group of states, turn states into results. A state element is a fixed
/// number of bytes (<see cref="StateSize"/>); states of one partial chunk are laid out in C order like the output.
/// </summary>
internal abstract class ReductionKernel
{
    protected ReductionKernel(string name, DataType outputType)
    {
        Name = name;
        OutputType = outputType;
    }

    /// <summary>The operation's name (node labels derive from it: <c>sum-partial</c>, <c>sum-combine</c>, <c>sum</c>).</summary>
    public string Name { get; }

    /// <summary>The element type of the finished result.</summary>
    public DataType OutputType { get; }

    /// <summary>Bytes of one state element.</summary>
    public abstract int StateSize { get; }

    /// <summary>
    /// Reduces <paramref name="input"/> (a chunk at element origin <paramref name="origin"/>) along the reduced axes
    /// of <paramref name="spec"/> into <paramref name="state"/>, which the kernel initializes.
    /// </summary>
    public abstract void Partial(ChunkBuffer input, ReadOnlySpan<long> origin, ReductionSpec spec, Span<byte> state);

    /// <summary>True when <see cref="PartialStream"/> can reduce a chunk given as a stream of pieces.</summary>
    public virtual bool CanStream => false;

    /// <summary>
    /// As <see cref="Partial"/>, for an input chunk of <paramref name="shape"/> delivered as consecutive C-order pieces
    /// (a producer fused into this task, see <see cref="ArrayNode.CanStream"/>).
    /// </summary>
    public virtual void PartialStream(ChunkStream input, int[] shape, ReadOnlySpan<long> origin, ReductionSpec spec, Span<byte> state) =>
        throw new NotSupportedException($"{Name} does not reduce streamed chunks");

    /// <summary>Merges same-shaped state chunks <paramref name="parts"/> into <paramref name="state"/>.</summary>
    public abstract void Combine(IReadOnlyList<ChunkBuffer> parts, Span<byte> state);

    /// <summary>Turns states into result elements of <see cref="OutputType"/>.</summary>
    public abstract void Finalize(ReadOnlySpan<byte> state, Span<byte> output);
}
