using System.Runtime.Intrinsics.X86;

namespace ChunkCompute.Tests.Simd;

/// <summary>
/// Which branch each SIMD kernel takes in this process, restated from the kernels' own conditions (they branch on the
/// <c>IsSupported</c> flags below and on nothing else), and the instruction-set levels the child-process tests run at.
/// Keep in step with DoubleBlocks (src/Ops/Reductions/ReduceOps), BlockShuffle and ByteShuffle (src/Storage/Codecs/Blosc).
/// </summary>
internal static class SimdPaths
{
    /// <summary>Set in a child process to the level it was started at (see <see cref="Levels"/>).</summary>
    public const string LevelVariable = "CHUNKCOMPUTE_SIMD_LEVEL";

    /// <summary>
    /// The levels below the machine's best, each with the .NET 10 runtime switch that reaches it (each switch also turns
    /// off everything above it; .NET 10 reads <c>DOTNET_EnableAVX512</c>, not <c>…AVX512F</c>, and folds SSE3, SSSE3
    /// and SSE4.1 into <c>DOTNET_EnableSSE42</c>: <c>DOTNET_EnableSSSE3=0</c> is ignored), and the paths expected there.
    /// </summary>
    public static readonly (string Level, string Switch, Paths Expected)[] Levels =
    [
        ("avx2", "DOTNET_EnableAVX512", new("avx", "avx", "ssse3", "avx2", "sse2", "avx2")),
        ("avx", "DOTNET_EnableAVX2", new("avx", "avx", "ssse3", "ssse3", "sse2", "sse2")),
        ("sse4.2", "DOTNET_EnableAVX", new("tensorprimitives", "tensorprimitives", "ssse3", "ssse3", "sse2", "sse2")),
        ("sse2", "DOTNET_EnableSSE42", new("tensorprimitives", "tensorprimitives", "scalar", "scalar", "sse2", "sse2")),
        ("none", "DOTNET_EnableHWIntrinsic", new("tensorprimitives", "tensorprimitives", "scalar", "scalar", "scalar", "scalar")),
    ];

    /// <summary>The paths on a CPU with AVX-512 and nothing switched off.</summary>
    public static readonly Paths Best = new("avx", "avx512", "ssse3", "avx2", "sse2", "avx2");

    /// <summary>The paths this process takes.</summary>
    public static Paths Current => new(
        DoubleBlocksSum: Avx.IsSupported ? "avx" : "tensorprimitives",
        DoubleBlocksAddInto: Avx512F.IsSupported && Avx.IsSupported ? "avx512" : Avx.IsSupported ? "avx" : "tensorprimitives",
        BlockShuffle2: Ssse3.IsSupported ? "ssse3" : "scalar",
        BlockShuffle48: !Ssse3.IsSupported ? "scalar" : Avx2.IsSupported ? "avx2" : "ssse3",
        ByteUnshuffle2: Sse2.IsSupported ? "sse2" : "scalar",
        ByteUnshuffle48: Avx2.IsSupported ? "avx2" : Sse2.IsSupported ? "sse2" : "scalar");

    /// <summary>
    /// The branch of each kernel: DoubleBlocks' block sums and squared deviations of float32/float64 (AVX registers, or
    /// TensorPrimitives over a widened copy) and its AddInto; BlockShuffle for typesize 2 and for 4/8; ByteShuffle's
    /// unshuffle (UnshuffleRows) for typesize 2 and for 4/8.
    /// </summary>
    public readonly record struct Paths(string DoubleBlocksSum, string DoubleBlocksAddInto, string BlockShuffle2, string BlockShuffle48, string ByteUnshuffle2, string ByteUnshuffle48);
}
