using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>Shared merge of count vectors (histogram, bincount): elementwise int64 addition.</summary>
internal static class CountsKernel
{
    public static void Add(IReadOnlyList<ChunkBuffer> parts, Span<byte> state)
    {
        var total = MemoryMarshal.Cast<byte, long>(state);
        MemoryMarshal.Cast<byte, long>(parts[0].Bytes)[..total.Length].CopyTo(total);
        for (int p = 1; p < parts.Count; p++)
        {
            TensorPrimitives.Add(total, MemoryMarshal.Cast<byte, long>(parts[p].Bytes)[..total.Length], total);
        }
    }
}
