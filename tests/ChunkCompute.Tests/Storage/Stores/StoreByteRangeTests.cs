using ChunkCompute.Storage.Stores;
using Xunit;

namespace ChunkCompute.Tests.Storage.Stores;

public sealed class StoreByteRangeTests
{
    [Fact]
    public void Factories_NegativeOffsetOrLength_AreRefusedNamingTheArgument()
    {
        Assert.Equal("offset", Assert.Throws<ArgumentOutOfRangeException>(() => ByteRange.Of(-1, 4)).ParamName);
        Assert.Equal("length", Assert.Throws<ArgumentOutOfRangeException>(() => ByteRange.Of(0, -4)).ParamName);
        Assert.Equal("offset", Assert.Throws<ArgumentOutOfRangeException>(() => ByteRange.From(-1)).ParamName);
        Assert.Equal("length", Assert.Throws<ArgumentOutOfRangeException>(() => ByteRange.Last(-1)).ParamName);
    }

    [Theory]
    [InlineData(0, 10, 100, 0, 10)]
    [InlineData(95, 10, 100, 95, 5)]
    [InlineData(100, 10, 100, 100, 0)]
    [InlineData(0, 10, 0, 0, 0)]
    public void Resolve_ClampsAtTheEnd(long offset, long length, long size, long expectedOffset, long expectedLength) =>
        Assert.Equal((expectedOffset, expectedLength), ByteRange.Of(offset, length).Resolve(size));

    [Fact]
    public void Resolve_SuffixAndOpenEnded()
    {
        Assert.Equal((90L, 10L), ByteRange.Last(10).Resolve(100));
        Assert.Equal((0L, 3L), ByteRange.Last(10).Resolve(3));
        Assert.Equal((40L, 60L), ByteRange.From(40).Resolve(100));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ByteRange.From(101).Resolve(100));
        Assert.Contains("bytes [101, end)", ex.Message, StringComparison.Ordinal);
        Assert.Equal("the last 7 bytes", ByteRange.Last(7).ToString());
        Assert.Equal("bytes [3, 8)", ByteRange.Of(3, 5).ToString());
    }
}
