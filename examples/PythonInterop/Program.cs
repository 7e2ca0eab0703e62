// PythonInterop: zarr-python (Debian's python3-zarr, Zarr v2) writes an array, ChunkCompute reads and reduces it and
// compares with NumPy; ChunkCompute writes a v2 array and zarr-python reads it back. Without python3-zarr it says how
// to install it and runs the ChunkCompute half alone.
// Run: dotnet run --project examples/PythonInterop -c Release [DIR]
using ChunkCompute.Examples.PythonInterop;

return PythonInteropExample.Run(args, Console.Out);
