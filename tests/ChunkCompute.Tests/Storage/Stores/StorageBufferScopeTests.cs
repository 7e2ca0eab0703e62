using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Xunit;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Tests.Storage.Stores;

/// <summary>
/// Inside a <see cref="StorageBufferScope"/> the storage layer takes its large temporary buffers (compressed reads,
/// decode and read-modify-write buffers, encoder staging) from the scope's allocator, and gives every one back.
/// </summary>
public sealed class StorageBufferScopeTests
{
    private const int Rows = 1024, Cols = 1024, ChunkRows = 512, ChunkCols = 512; // float64: 2 MiB chunks

    private static double Value(long i) => Math.Round(Math.Sin(i * 0.001) * 100, 2);

    [Fact]
    public void WriteAndRead_InScope_TakeTheirLargeBuffersFromTheAllocator_AndReturnEach()
    {
        using var store = ZarrStore.Open(new MemoryStore());
        var array = store.CreateArray("x", DataType.Float64, [Rows, Cols], [ChunkRows, ChunkCols], new ArrayOptions { Format = ZarrFormat.V2, Compression = Compression.Default });
        var data = new double[Rows * Cols];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = Value(i);
        }

        var allocator = new RecordingAllocator();
        using (StorageBufferScope.Use(allocator))
        {
            // Whole-array write (each chunk copied out of the rows, then encoded), then a region that is not
            // contiguous in any chunk (read-modify-write and read through a decode buffer).
            array.Write<double>(data);
            var region = new ArraySubset([100, 300], [700, 500]);
            var expected = new double[700 * 500];
            for (int r = 0; r < 700; r++)
            {
                for (int c = 0; c < 500; c++)
                {
                    expected[(r * 500) + c] = Value(((100 + r) * (long)Cols) + 300 + c);
                }
            }

            Assert.Equal(expected, array.Read<double>(region));
        }

        // The four 2 MiB chunks each took a chunk copy and encoder staging on write, and a decode buffer on read: every
        // one from the allocator, and every one freed with its own size.
        Assert.True(allocator.Allocations >= 12, $"{allocator.Allocations} allocations");
        Assert.Equal(0, allocator.Outstanding);
        Assert.Empty(allocator.Live);

        // The largest, the encoder staging of a 2 MiB chunk, is the chunk plus at most one Blosc block (two 1 MiB blocks
        // are encoded in sequence, with a block's room to spare) rounded up by its size class: 3.25 MiB, not the 4 MiB
        // array a pool of power-of-two buckets hands out for it.
        Assert.InRange(allocator.Largest, 2L << 20, (7L << 20) / 2);

        // Outside the scope the allocator is not used; the data round-trips.
        int before = allocator.Allocations;
        Assert.Equal(data, array.Read<double>());
        Assert.Equal(before, allocator.Allocations);
    }

    [Fact]
    public async Task Scope_FlowsIntoWorkStartedInIt_AndEndsWithIt()
    {
        var allocator = new RecordingAllocator();
        Task inner;
        using (StorageBufferScope.Use(allocator))
        {
            inner = Task.Run(() =>
            {
                using var buffer = StorageBuffers.RentBuffer(3 << 20);
                Assert.True(buffer.IsNative);
                buffer.Span.Fill(7);
                Assert.Equal(7, buffer.Span[^1]);
            });
            await inner;

            using var small = StorageBuffers.RentBuffer(4096); // below the threshold: a pooled array
            Assert.False(small.IsNative);
        }

        using var after = StorageBuffers.RentBuffer(3 << 20);
        Assert.False(after.IsNative);
        Assert.Equal(1, allocator.Allocations);
        Assert.Equal(0, allocator.Outstanding);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData((1 << 20) + 1)]
    [InlineData((64 << 20) + 65536)]
    [InlineData(58_819_188)]
    public void SizeClass_IsAtLeastTheLength_AndAtMostAnEighthMore(int length)
    {
        long size = StorageBuffers.SizeClass(length);
        Assert.True(size >= length);
        long page = (length + 4095L) / 4096 * 4096;
        Assert.True(size <= Math.Max(page, length + (length / 8) + 1), $"{size} for {length}");
        Assert.Equal(0, size % 4096);
    }

    private sealed unsafe class RecordingAllocator : IStorageBufferAllocator
    {
        private long _outstanding;
        private long _largest;
        private int _allocations;

        public ConcurrentDictionary<nint, long> Live { get; } = new();

        public int Allocations => Volatile.Read(ref _allocations);

        public long Outstanding => Interlocked.Read(ref _outstanding);

        public long Largest => Interlocked.Read(ref _largest);

        public nint Allocate(long bytes)
        {
            var p = (nint)NativeMemory.AlignedAlloc((nuint)bytes, 64);
            Assert.True(Live.TryAdd(p, bytes));
            Interlocked.Increment(ref _allocations);
            Interlocked.Add(ref _outstanding, bytes);
            long seen;
            while (bytes > (seen = Interlocked.Read(ref _largest)) && Interlocked.CompareExchange(ref _largest, bytes, seen) != seen)
            {
            }

            return p;
        }

        public void Free(nint pointer, long bytes)
        {
            Assert.True(Live.TryRemove(pointer, out long size), "freed twice or never allocated");
            Assert.Equal(size, bytes);
            Interlocked.Add(ref _outstanding, -bytes);
            NativeMemory.AlignedFree((void*)pointer);
        }
    }
}
