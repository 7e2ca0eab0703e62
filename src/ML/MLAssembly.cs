namespace ChunkCompute.ML;

/// <summary>
/// ML preprocessing on chunked arrays: mini-batch streaming, scalers, linear algebra and ragged arrays.
/// Builds on the engine (<c>ChunkCompute.Ops</c>, <c>ChunkCompute.Scheduler</c>); MathNet.Numerics does the per-block dense work.
/// </summary>
internal static class MLAssembly
{
}
