namespace ChunkCompute.ML;

/// <summary>
/// A subset of the rows 0…<see cref="RowCount"/> − 1 of an array, decided row by row in O(1) memory: one side of a
/// <see cref="RowSplit"/>. Pass it as <see cref="BatchOptions.Rows"/> to batch only these rows.
/// </summary>
public sealed class RowSelection
{
    private readonly FeistelPermutation _permutation;
    private readonly long _threshold;
    private readonly bool _below;

    internal RowSelection(FeistelPermutation permutation, long threshold, bool below)
    {
        _permutation = permutation;
        _threshold = threshold;
        _below = below;
        Count = below ? threshold : permutation.Size - threshold;
    }

    /// <summary>Rows of the array the selection was made for.</summary>
    public long RowCount => _permutation.Size;

    /// <summary>Rows selected.</summary>
    public long Count { get; }

    /// <summary>True when <paramref name="row"/> is selected.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The row is not in 0…RowCount − 1.</exception>
    public bool Contains(long row)
    {
        if ((ulong)row >= (ulong)RowCount)
        {
            throw new ArgumentOutOfRangeException(nameof(row), $"row {row} is outside 0…{RowCount - 1}");
        }

        return (_permutation.Permute(row) < _threshold) == _below;
    }

    /// <summary>The selected rows in increasing order (streamed; nothing is stored).</summary>
    public IEnumerable<long> Indices()
    {
        for (long r = 0; r < RowCount; r++)
        {
            if (Contains(r))
            {
                yield return r;
            }
        }
    }
}

/// <summary>A reproducible train/test split of rows (see <see cref="Batching.TrainTestSplit(long, double, int)"/>).</summary>
/// <param name="Train">The training rows.</param>
/// <param name="Test">The test rows.</param>
public sealed record RowSplit(RowSelection Train, RowSelection Test);

/// <summary>
/// A seeded bijection of 0…n − 1: a 4-round Feistel network on the smallest even power of two ≥ n, cycle-walked into
/// range. O(1) memory and independent of any chunking.
/// </summary>
internal sealed class FeistelPermutation
{
    private readonly int _halfBits;
    private readonly ulong _mask;
    private readonly ulong[] _keys = new ulong[4];

    public FeistelPermutation(long size, int seed)
    {
        Size = size;
        int bits = size <= 2 ? 2 : 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)(size - 1));
        _halfBits = (bits + 1) / 2;
        _mask = (1UL << _halfBits) - 1;
        var rng = new SplitMix64(SplitMix64.Seed(seed, 0, 0x5EED5EEDUL));
        for (int i = 0; i < _keys.Length; i++)
        {
            _keys[i] = rng.Next();
        }
    }

    public long Size { get; }

    public long Permute(long x)
    {
        ulong v = (ulong)x;
        do
        {
            v = Encrypt(v);
        }
        while (v >= (ulong)Size);
        return (long)v;
    }

    private ulong Encrypt(ulong v)
    {
        ulong left = v >> _halfBits;
        ulong right = v & _mask;
        foreach (ulong key in _keys)
        {
            ulong f = SplitMix64.Mix(right ^ key) & _mask;
            (left, right) = (right, left ^ f);
        }

        return (left << _halfBits) | right;
    }
}
