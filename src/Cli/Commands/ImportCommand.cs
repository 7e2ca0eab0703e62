using System.CommandLine;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Npy;

namespace ChunkCompute.Cli.Commands;

/// <summary>
/// <c>chunkcompute import FILE.npy STORE --array PATH [--chunks A,B] [--codec …] [--format v2|v3]</c>: streams a .npy
/// file into a new array in bounded memory (blocks of whole chunk rows).
/// </summary>
internal static class ImportCommand
{
    private const long BlockBytes = 64L << 20;

    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("FILE") { Description = "The .npy file to import." };
        var store = new Argument<string>("STORE") { Description = "The Zarr store (a directory; created if missing)." };
        var array = new Option<string>("--array") { Description = "Path of the new array in the store.", Required = true };
        var chunks = new Option<string?>("--chunks") { Description = "Chunk shape, e.g. 4096,512 (default: about 4 MiB per chunk)." };
        var codec = new Option<string>("--codec") { Description = "none, lz4, zstd, gzip, zlib, blosc-lz4, blosc-lz4hc, blosc-zstd, blosc-zlib (optionally :LEVEL).", DefaultValueFactory = _ => "blosc-lz4" };
        var format = new Option<string?>("--format") { Description = "Zarr format of the new array: v2 or v3 (default v3)." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing array at the path." };
        var command = new Command("import", "Import a NumPy .npy file into a Zarr array.") { file, store, array, chunks, codec, format, overwrite };
        command.SetAction((parse, cancellationToken) =>
        {
            Compression compression;
            try
            {
                compression = Compression.Parse(parse.GetValue(codec)!);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException)
            {
                throw new UsageException("--codec: " + ex.Message);
            }

            var fmt = CliParsing.ParseFormat(parse.GetValue(format));
            using var reader = new NpyReader(parse.GetValue(file)!);
            var header = reader.Header;
            var dataType = DataType.FromNumpyTypestr(header.NormalizedDescr, out _);
            long[] shape = header.Shape;
            int[] chunkShape = parse.GetValue(chunks) is { } c ? CliParsing.ParseChunks(c, shape.Length) : CliParsing.AutoChunks(shape, dataType.Size);
            using var zarr = ZarrStore.Open(parse.GetValue(store)!);
            var target = zarr.CreateArray(parse.GetValue(array)!, dataType, shape, chunkShape, new ArrayOptions
            {
                Compression = compression,
                Format = fmt switch { ZarrFormatChoice.V2 => ZarrFormat.V2, ZarrFormatChoice.V3 => ZarrFormat.V3, _ => null },
                Overwrite = parse.GetValue(overwrite),
            });
            Copy(reader, target, cancellationToken);
            return Task.FromResult(0);
        });
        return command;
    }

    private static void Copy(NpyReader reader, ZarrArray target, CancellationToken cancellationToken)
    {
        var shape = target.Shape.ToArray();
        if (target.ElementCount == 0)
        {
            return;
        }

        if (shape.Length == 0 || (reader.Header.FortranOrder && shape.Length > 1))
        {
            var all = reader.ReadAll();
            target.WriteBytes(ArraySubset.All(shape), all, cancellationToken);
            return;
        }

        // Blocks of whole chunk rows along axis 0, so every chunk is written once, without read-modify-write.
        long rowBytes = shape.Skip(1).Aggregate((long)target.DataType.Size, (a, b) => a * b);
        long chunkRows = target.ChunkShape[0];
        long rowsPerBlock = Math.Max(chunkRows, BlockBytes / Math.Max(1, rowBytes) / chunkRows * chunkRows);
        rowsPerBlock = Math.Min(rowsPerBlock, shape[0]);
        var buffer = new byte[checked((int)(rowsPerBlock * rowBytes))];
        for (long row = 0; row < shape[0]; row += rowsPerBlock)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long rows = Math.Min(rowsPerBlock, shape[0] - row);
            var span = buffer.AsSpan(0, (int)(rows * rowBytes));
            int filled = 0;
            while (filled < span.Length)
            {
                long n = reader.ReadElements(span[filled..]);
                if (n == 0)
                {
                    throw new IOException($"'{reader.Name}' ended early at element {reader.ElementsRead}");
                }

                filled += (int)(n * target.DataType.Size);
            }

            var start = new long[shape.Length];
            start[0] = row;
            var extent = (long[])shape.Clone();
            extent[0] = rows;
            target.WriteBytes(new ArraySubset(start, extent), span, cancellationToken);
        }
    }
}
