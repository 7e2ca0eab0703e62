using System.Runtime.InteropServices;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Transactions;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Storage.Transactions;

/// <summary>
/// Large staged values of a durable store are written with O_DIRECT on Linux (<see cref="DirectFileWriter"/>): every
/// length (a whole number of blocks or not) and every source alignment must land byte for byte with the exact size; an
/// existing file is not touched; a committed array of such chunks reads back, through the store and after reopening,
/// with direct writes on and off.
/// </summary>
public sealed class DirectWriteTests
{
    public static TheoryData<int, int> Shapes() => new()
    {
        { 1 << 20, 0 },                // whole blocks, page-aligned source: written straight from it
        { (1 << 20) + 1234, 0 },       // a partial last block: padded, then cut to length
        { (9 << 20) + 4095, 1 },       // unaligned source: through the bounce buffer, more than one bounce of it
        { 5000, 3 },                   // shorter than a block
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public unsafe void TryWriteNew_AnyLengthAndAlignment_WritesExactlyTheBytes(int length, int misalign)
    {
        Assert.SkipUnless(DirectFileWriter.IsSupported, "O_DIRECT writes are attempted on Linux x64/arm64 only");
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "v");
        byte* block = (byte*)NativeMemory.AlignedAlloc((nuint)(length + 4096), 4096);
        try
        {
            var source = new Span<byte>(block + misalign, length);
            new Random(length).NextBytes(source);
            bool direct = DirectFileWriter.TryWriteNew(path, source);
            if (!direct)
            {
                // The file system refused direct I/O (tmpfs on old kernels): nothing may be left behind.
                Assert.False(File.Exists(path));
                return;
            }

            var written = File.ReadAllBytes(path);
            Assert.Equal(length, written.Length);
            Assert.True(source.SequenceEqual(written));
        }
        finally
        {
            NativeMemory.AlignedFree(block);
        }
    }

    [Fact]
    public void TryWriteNew_FileExists_RefusesAndLeavesItAsItWas()
    {
        Assert.SkipUnless(DirectFileWriter.IsSupported, "O_DIRECT writes are attempted on Linux x64/arm64 only");
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "v");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.False(DirectFileWriter.TryWriteNew(path, new byte[2 << 20]));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void DurableStore_ChunksOver16MiB_CommitAndReadBack(bool directWrites)
    {
        // Uncompressed 20 MiB chunks (one partial at the array's end), written in one transaction and then replaced in
        // a second: each staged value is over the direct-write threshold.
        using var dir = new TempDirectory();
        const int ChunkElements = 20 << 17; // 20 MiB of doubles
        long n = (2L * ChunkElements) + 1000;
        var values = new double[n];
        for (long i = 0; i < n; i++)
        {
            values[i] = Math.Sin(i * 1e-3) + i;
        }

        var options = new ZarrStoreOptions { DirectWrites = directWrites, ChunkCacheBytes = 0 };
        using (var store = ZarrStore.Open(dir.Path, options))
        {
            store.Transact(tx => tx.CreateArray<double>("x", [n], [ChunkElements], new ArrayOptions { Compression = Compression.None }).Write(values));
            Assert.Equal(values, store.OpenArray<double>("x").Read());
            for (long i = 0; i < n; i++)
            {
                values[i] = -values[i];
            }

            store.Transact(tx => tx.OpenArray<double>("x").Write(values));
        }

        using var reopened = ZarrStore.Open(dir.Path);
        Assert.Equal(values, reopened.OpenArray<double>("x").Read());
        Assert.Empty(reopened.Verify().Problems);
    }
}
