// OnnxInference: batched ONNX Runtime inference over the rows of a stored feature matrix, written back with ToStore,
// the whole under a fixed memory budget. Run: dotnet run --project examples/OnnxInference -c Release [DIR [MODEL.onnx]]
using ChunkCompute.Examples.OnnxInference;

return OnnxInferenceExample.Run(args, Console.Out);
