using System.Text.Json.Nodes;
using ChunkCompute.Storage;

namespace ChunkCompute.Tests.Interop;

/// <summary>One array ChunkCompute writes as Zarr v2 for zarr-python to read back.</summary>
/// <param name="Path">Path of the array in the store.</param>
/// <param name="Type">Element type.</param>
/// <param name="Shape">Array shape.</param>
/// <param name="Chunks">Chunk shape.</param>
/// <param name="Compression">Compressor.</param>
/// <param name="Compressor">Expected numcodecs id (null for none), and for Blosc ":cname:shuffle".</param>
/// <param name="Fortran">Order F.</param>
/// <param name="Separator">Chunk key separator.</param>
/// <param name="Fill">Fill value JSON, null for 0.</param>
/// <param name="Partial">Write only the first half along axis 0, leaving chunks missing.</param>
internal sealed record V2WriteCase(
    string Path,
    DataType Type,
    long[] Shape,
    int[] Chunks,
    Compression Compression,
    string? Compressor,
    bool Fortran,
    char Separator,
    JsonNode? Fill,
    bool Partial)
{
    public override string ToString() =>
        $"{Path}: {Type} shape [{string.Join(",", Shape)}] chunks [{string.Join(",", Chunks)}] {Compression} order {(Fortran ? 'F' : 'C')} sep '{Separator}' fill {Fill?.ToJsonString() ?? "0"}{(Partial ? " partial" : string.Empty)}";
}
