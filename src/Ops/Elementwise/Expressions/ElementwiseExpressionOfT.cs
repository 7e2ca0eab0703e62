using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>An expression producing <typeparamref name="T"/> elements.</summary>
/// <typeparam name="T">The result element type.</typeparam>
internal abstract class ElementwiseExpression<T> : ElementwiseExpression
    where T : unmanaged
{
    /// <summary>Creates the expression.</summary>
    protected ElementwiseExpression(int slot)
        : base(DataType.Of<T>(), slot)
    {
    }

    /// <summary>Creates the expression with an explicit result type (a datetime64/timedelta64 with its unit).</summary>
    protected ElementwiseExpression(DataType dataType, int slot)
        : base(dataType, slot)
    {
    }

    /// <summary>
    /// Evaluates the current tile. Writes into <paramref name="destination"/> when it is not empty, else into this
    /// expression's slot; leaves return a view of their input instead. The returned span holds the tile's values.
    /// </summary>
    public abstract ReadOnlySpan<T> Evaluate(TileState state, Span<T> destination);

    /// <inheritdoc/>
    public sealed override unsafe void EvaluateInto(TileState state, void* output)
    {
        var destination = new Span<T>((T*)output + state.Start, state.Length);
        var result = Evaluate(state, destination);
        if (!Unsafe.AreSame(ref MemoryMarshal.GetReference(result), ref MemoryMarshal.GetReference(destination)))
        {
            result.CopyTo(destination);
        }
    }

    /// <summary>Where this expression writes: <paramref name="destination"/> if given, else its tile slot.</summary>
    protected Span<T> Target(TileState state, Span<T> destination) =>
        destination.IsEmpty && state.Length > 0 ? state.Slot<T>(Slot) : destination;
}
