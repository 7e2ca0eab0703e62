using System.Buffers.Binary;
using System.Text;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Npy;
using ChunkCompute.Tests.Storage.NpyFormat;
using Xunit;

namespace ChunkCompute.Tests.Storage.Hostile;

/// <summary>
/// Fuzz findings in the .npy reader: a header's promises (header length, data length) are untrusted until the bytes
/// arrive, so a short file costs memory in step with its real size and fails as <see cref="NpyFormatException"/>.
/// </summary>
public sealed class HostileNpyTests
{
    private static byte[] File(string dict, int major = 1, int data = 0, uint? claimedHeaderLength = null)
    {
        var header = Encoding.ASCII.GetBytes(dict);
        int lengthSize = major == 1 ? 2 : 4;
        var file = new byte[8 + lengthSize + header.Length + data];
        byte[] magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
        magic.CopyTo(file, 0);
        file[6] = (byte)major;
        if (major == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(8), (ushort)(claimedHeaderLength ?? (uint)header.Length));
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(8), claimedHeaderLength ?? (uint)header.Length);
        }

        header.CopyTo(file, 8 + lengthSize);
        return file;
    }

    private static long AllocatedBy(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Theory]
    [InlineData("(8589934592,)")] // 64 GiB: more than one array
    [InlineData("(100000000,)")] // 800 MB: one array, but not in the file
    public void ReadAll_FromAPipe_HeaderPromisingMoreDataThanThereIs_ThrowsTruncatedWithoutAllocatingIt(string shape)
    {
        var file = File("{'descr': '<f8', 'fortran_order': False, 'shape': " + shape + ", }\n", data: 80);
        NpyFormatException? ex = null;
        long allocated = AllocatedBy(() =>
        {
            using var reader = new NpyReader(new NonSeekableStream(file), "pipe.npy");
            ex = Assert.Throws<NpyFormatException>(() => reader.ReadAll());
        });
        Assert.Contains("truncated", ex!.Message, StringComparison.Ordinal);
        Assert.True(allocated < (1 << 20), $"allocated {allocated} bytes for a {file.Length}-byte file");
    }

    [Fact]
    public void Open_HeaderLengthFieldPromising16MiB_ThrowsTruncatedWithoutAllocatingIt()
    {
        var file = File("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n", major: 2, claimedHeaderLength: 16 << 20);
        NpyFormatException? ex = null;
        long allocated = AllocatedBy(() => ex = Assert.Throws<NpyFormatException>(() => new NpyReader(new MemoryStream(file), "short.npy")));
        Assert.Contains("truncated header", ex!.Message, StringComparison.Ordinal);
        Assert.True(allocated < (1 << 20), $"allocated {allocated} bytes for a {file.Length}-byte file");
    }

    [Fact]
    public void ReadAll_FromAPipe_ValidFortranBigEndianFile_MatchesTheSeekableRead()
    {
        var values = Enumerable.Range(0, 6).Select(i => (double)i).ToArray();
        var data = new byte[48];
        for (int i = 0; i < 6; i++)
        {
            BinaryPrimitives.WriteDoubleBigEndian(data.AsSpan(i * 8), values[i]);
        }

        var file = File("{'descr': '>f8', 'fortran_order': True, 'shape': (2, 3), }\n", data: 48);
        data.CopyTo(file, file.Length - 48);
        using var seekable = new NpyReader(new MemoryStream(file));
        using var pipe = new NpyReader(new NonSeekableStream(file));
        Assert.Equal(seekable.ReadAll(), pipe.ReadAll());
    }
}
