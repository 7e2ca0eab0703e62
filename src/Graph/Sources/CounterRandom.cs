namespace ChunkCompute.Graph;

/// <summary>
/// A counter-based generator: SplitMix64 of (seed, counter). Stateless, so element k's value is the same in any chunk,
/// on any thread, in any order.
/// </summary>
internal static class CounterRandom
{
    public static ulong Hash(ulong seed, ulong counter)
    {
        ulong z = (seed * 0x9E3779B97F4A7C15UL) ^ (counter + 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A double in [0, 1) with 53 random bits.</summary>
    public static double Uniform(ulong seed, ulong counter) => (Hash(seed, counter) >> 11) * (1.0 / (1UL << 53));

    /// <summary>A standard normal value (Box–Muller over two independent uniforms of the same counter).</summary>
    public static double Normal(ulong seed, ulong counter)
    {
        double u1 = 1.0 - Uniform(seed, 2 * counter);
        double u2 = Uniform(seed, (2 * counter) + 1);
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
