namespace ChunkCompute.ML;

/// <summary>SplitMix64: a small seeded generator whose sequence is fixed by this code, not by the runtime's <see cref="Random"/>.</summary>
internal struct SplitMix64
{
    private ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The seed for a (seed, epoch, stream) triple.</summary>
    public static ulong Seed(int seed, int epoch, ulong stream) =>
        Mix(Mix((ulong)(uint)seed + 0x9E3779B97F4A7C15UL) ^ ((ulong)(uint)epoch * 0xD1B54A32D192ED03UL) ^ stream);

    public ulong Next()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, <paramref name="n"/>) (Lemire's multiply-high; bias below 2^-40 for n below 2^24).</summary>
    public long NextBelow(long n) => (long)Math.BigMul(Next(), (ulong)n, out _);
}
