// Quickstart: create a Zarr store in a local folder, ingest an array bigger than the memory budget in parts, then
// compute per-column mean and standard deviation and a histogram in one pass under that budget, with progress.
// Run: dotnet run --project examples/Quickstart -c Release [DIR]
using ChunkCompute.Examples.Quickstart;

return QuickstartExample.Run(args, Console.Out, Console.Error);
