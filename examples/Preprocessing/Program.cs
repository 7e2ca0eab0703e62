// Preprocessing: the standardization step of an ML pipeline, out of core. Per-column mean and standard deviation of a
// feature matrix in one pass, then (x - mean) / std with broadcasting written to a new array, then verified.
// Run: dotnet run --project examples/Preprocessing -c Release [DIR [ARRAY]]
using ChunkCompute.Examples.Preprocessing;

return PreprocessingExample.Run(args, Console.Out);
