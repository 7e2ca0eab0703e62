// Ingest: the wendelin.core tutorial in C#. Transactions on a Zarr store: commit, abort, append, snapshots while another
// handle commits, resize (shrink, then grow reads the fill value), reopen in a new process, verify and collect garbage.
// Run: dotnet run --project examples/Ingest -c Release [DIR]
// (The example starts itself again as `dotnet Ingest.dll --reopen DIR` for the new-process step.)
using ChunkCompute.Examples.Ingest;

return IngestExample.Run(args, Console.Out);
