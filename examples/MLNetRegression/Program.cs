// MLNetRegression: an ML.NET SDCA regression trained on a feature matrix and labels stored in Zarr, several times larger
// than the memory budget the data view reads them in, then evaluated (R², RMSE) through the same out-of-core view.
// Run: dotnet run --project examples/MLNetRegression -c Release [DIR]
using ChunkCompute.Examples.MLNetRegression;

return MLNetRegressionExample.Run(args, Console.Out);
