using ChunkCompute.Storage;

namespace ChunkCompute.Graph;

/// <summary>
/// A source whose element at flat C-order index k is a pure function of k (fill, arange, linspace, seeded random),
/// so values do not depend on the chunking or on thread timing.
/// </summary>
public sealed class GeneratorNode : ArrayNode
{
    private readonly Func<long, double> _valueAt;
    private readonly byte[]? _constant;

    /// <summary>Creates a generator of <paramref name="dataType"/> elements; <paramref name="valueAt"/> maps k to a value.</summary>
    public GeneratorNode(string label, DataType dataType, ChunkGrid grid, Func<long, double> valueAt)
        : base(dataType, grid, [])
    {
        Label = label;
        _valueAt = valueAt ?? throw new ArgumentNullException(nameof(valueAt));
    }

    /// <summary>Creates a constant-fill node from one little-endian element.</summary>
    public GeneratorNode(string label, DataType dataType, ChunkGrid grid, byte[] element)
        : base(dataType, grid, [])
    {
        Label = label;
        _constant = element ?? throw new ArgumentNullException(nameof(element));
        _valueAt = _ => 0;
    }

    /// <inheritdoc/>
    public override string Label { get; }

    /// <inheritdoc/>
    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
    }

    /// <inheritdoc/>
    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_constant is not null)
        {
            Storage.Arrays.NdCopy.FillPattern(context.Output.Bytes, _constant);
            return;
        }

        var origin = Grid.Origin(context.ChunkIndex);
        var shape = context.Output.Shape;
        var global = Grid.Shape;
        int rank = shape.Length;
        long count = context.Output.ElementCount;
        var index = new long[rank];
        var output = context.Output;
        for (long i = 0; i < count; i++)
        {
            long flat = 0;
            for (int d = 0; d < rank; d++)
            {
                flat = (flat * global[d]) + origin[d] + index[d];
            }

            ElementWriter.Write(output, DataType, i, _valueAt(flat));
            for (int d = rank - 1; d >= 0; d--)
            {
                if (++index[d] < shape[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }
    }
}
