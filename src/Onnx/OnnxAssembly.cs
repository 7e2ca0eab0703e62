namespace ChunkCompute.Onnx;

/// <summary>
/// ONNX Runtime inference over chunked arrays, a package of its own so the engine does not depend on ONNX Runtime.
/// Builds on the engine (<c>ChunkCompute.Ops</c>, <c>ChunkCompute.Scheduler</c>).
/// </summary>
internal static class OnnxAssembly
{
}
