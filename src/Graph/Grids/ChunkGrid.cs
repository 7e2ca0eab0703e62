using System.Globalization;

namespace ChunkCompute.Graph;

/// <summary>
/// How an array is cut into chunks: per dimension, the sizes of its chunks, which may differ (Dask-style irregular
/// chunks). Chunks are exact: an edge chunk is as small as the array leaves it. Immutable.
/// </summary>
public sealed class ChunkGrid : IEquatable<ChunkGrid>
{
    private readonly int[][] _sizes;
    private readonly long[][] _offsets;
    private readonly long[] _shape;

    private ChunkGrid(int[][] sizes)
    {
        _sizes = sizes;
        _offsets = new long[sizes.Length][];
        _shape = new long[sizes.Length];
        for (int d = 0; d < sizes.Length; d++)
        {
            var off = new long[sizes[d].Length + 1];
            for (int i = 0; i < sizes[d].Length; i++)
            {
                if (sizes[d][i] < 0 || (sizes[d][i] == 0 && sizes[d].Length > 1))
                {
                    throw new ArgumentException($"chunk sizes of dimension {d} must be positive: [{string.Join(", ", sizes[d])}]");
                }

                off[i + 1] = off[i] + sizes[d][i];
            }

            _offsets[d] = off;
            _shape[d] = off[^1];
        }

        ChunkCount = _sizes.Aggregate(1L, (a, s) => a * s.Length);
    }

    /// <summary>A regular grid: every chunk is <paramref name="chunkShape"/> except at the edges.</summary>
    public static ChunkGrid Regular(IReadOnlyList<long> shape, IReadOnlyList<int> chunkShape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(chunkShape);
        if (shape.Count != chunkShape.Count)
        {
            throw new ArgumentException($"shape has {shape.Count} dimensions but chunks have {chunkShape.Count}");
        }

        var sizes = new int[shape.Count][];
        for (int d = 0; d < shape.Count; d++)
        {
            if (shape[d] < 0 || chunkShape[d] <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(chunkShape), $"shape [{string.Join(", ", shape)}] and chunks [{string.Join(", ", chunkShape)}] must be non-negative and positive");
            }

            long n = shape[d] == 0 ? 1 : (shape[d] + chunkShape[d] - 1) / chunkShape[d];
            sizes[d] = new int[n];
            for (long i = 0; i < n; i++)
            {
                sizes[d][i] = (int)Math.Min(chunkShape[d], shape[d] - (i * chunkShape[d]));
            }
        }

        return new ChunkGrid(sizes);
    }

    /// <summary>An irregular grid from the chunk sizes of each dimension (Dask's <c>chunks</c> tuple of tuples).</summary>
    public static ChunkGrid FromSizes(IReadOnlyList<IReadOnlyList<int>> sizes)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        return new ChunkGrid(sizes.Select(s => s.Count == 0 ? [0] : s.ToArray()).ToArray());
    }

    /// <summary>The array shape.</summary>
    public IReadOnlyList<long> Shape => _shape;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _sizes.Length;

    /// <summary>Total number of chunks.</summary>
    public long ChunkCount { get; }

    /// <summary>Chunks per dimension.</summary>
    public long[] GridShape => _sizes.Select(s => (long)s.Length).ToArray();

    /// <summary>The chunk sizes of dimension <paramref name="dim"/>.</summary>
    public IReadOnlyList<int> Sizes(int dim) => _sizes[dim];

    /// <summary>Elements in the array.</summary>
    public long ElementCount => _shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>True when all chunks but the last in each dimension have one size.</summary>
    public bool IsRegular => _sizes.All(s => s.Length <= 1 || s.Take(s.Length - 1).All(x => x == s[0]) && s[^1] <= s[0]);

    /// <summary>The first chunk's shape (the nominal chunk shape of a regular grid).</summary>
    public int[] NominalChunkShape => _sizes.Select(s => s[0]).ToArray();

    /// <summary>Element offset of chunk <paramref name="chunk"/> along <paramref name="dim"/>.</summary>
    public long Offset(int dim, long chunk) => _offsets[dim][chunk];

    /// <summary>Size of chunk <paramref name="chunk"/> along <paramref name="dim"/>.</summary>
    public int Size(int dim, long chunk) => _sizes[dim][chunk];

    /// <summary>The shape of the chunk at <paramref name="index"/>.</summary>
    public int[] ChunkShape(ReadOnlySpan<long> index)
    {
        var shape = new int[Rank];
        for (int d = 0; d < Rank; d++)
        {
            shape[d] = _sizes[d][index[d]];
        }

        return shape;
    }

    /// <summary>Elements in the chunk at <paramref name="index"/>.</summary>
    public long ChunkElements(ReadOnlySpan<long> index)
    {
        long n = 1;
        for (int d = 0; d < Rank; d++)
        {
            n *= _sizes[d][index[d]];
        }

        return n;
    }

    /// <summary>The largest chunk's element count.</summary>
    public long MaxChunkElements => _sizes.Aggregate(1L, (a, s) => a * s.Max());

    /// <summary>The element origin of the chunk at <paramref name="index"/>.</summary>
    public long[] Origin(ReadOnlySpan<long> index)
    {
        var o = new long[Rank];
        for (int d = 0; d < Rank; d++)
        {
            o[d] = _offsets[d][index[d]];
        }

        return o;
    }

    /// <summary>The chunk along <paramref name="dim"/> that holds element <paramref name="element"/>.</summary>
    public long ChunkOf(int dim, long element)
    {
        int i = Array.BinarySearch(_offsets[dim], element);
        return i >= 0 ? Math.Min(i, _sizes[dim].Length - 1) : ~i - 1;
    }

    /// <summary>C-order number of a chunk index.</summary>
    public long Linear(ReadOnlySpan<long> index)
    {
        long k = 0;
        for (int d = 0; d < Rank; d++)
        {
            k = (k * _sizes[d].Length) + index[d];
        }

        return k;
    }

    /// <summary>The chunk index of C-order number <paramref name="linear"/>.</summary>
    public void Unravel(long linear, Span<long> index)
    {
        for (int d = Rank - 1; d >= 0; d--)
        {
            index[d] = linear % _sizes[d].Length;
            linear /= _sizes[d].Length;
        }
    }

    /// <inheritdoc/>
    public bool Equals(ChunkGrid? other) =>
        other is not null && other.Rank == Rank && _sizes.Zip(other._sizes).All(p => p.First.AsSpan().SequenceEqual(p.Second));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ChunkGrid);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Rank, ChunkCount, _shape.Length > 0 ? _shape[0] : 0);

    /// <inheritdoc/>
    public override string ToString() => "(" + string.Join(", ", _sizes.Select(s =>
        s.Length > 4 ? string.Create(CultureInfo.InvariantCulture, $"({s[0]}, {s[1]}, … ×{s.Length})") : "(" + string.Join(", ", s) + ")")) + ")";
}
