namespace ChunkCompute.Graph;

/// <summary>
/// Its input under other dimension names (<see cref="ChunkedArray{T}.WithDims"/>): a view, not an operation. Lowering
/// reads the input's chunks in its place, so it has no tasks and costs nothing; only the names differ.
/// </summary>
public sealed unsafe class NamedDimensionsNode : ArrayNode
{
    private readonly string?[] _names;

    /// <summary>Names the dimensions of <paramref name="input"/> (null: a dimension without a name).</summary>
    /// <exception cref="ArgumentException">Not one name per dimension, or a name used twice.</exception>
    public NamedDimensionsNode(ArrayNode input, IReadOnlyList<string?> names)
        : base(Require(input).DataType, input.Grid, [input])
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count != input.Grid.Rank)
        {
            throw new ArgumentException($"{names.Count} dimension names for an array of {input.Grid.Rank} dimensions", nameof(names));
        }

        var repeated = names.Where(n => n is not null).GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
        {
            throw new ArgumentException($"dimension name '{repeated.Key}' is used twice", nameof(names));
        }

        _names = [.. names];
    }

    /// <inheritdoc/>
    public override string Label => "dims";

    /// <inheritdoc/>
    public override IReadOnlyList<string?>? DimensionNames => _names;

    /// <inheritdoc/>
    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        dependencies.Add(new ChunkDependency(0, chunkIndex.ToArray()));
    }

    /// <summary>The input chunk as it is (lowering normally reads the input directly; this is for callers that do not).</summary>
    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Buffer.MemoryCopy(context.Inputs[0].Pointer, context.Output.Pointer, context.Output.ByteLength, context.Output.ByteLength);
    }

    private static ArrayNode Require(ArrayNode input) => input ?? throw new ArgumentNullException(nameof(input));
}
