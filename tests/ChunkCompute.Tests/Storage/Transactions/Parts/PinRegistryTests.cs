using ChunkCompute.Storage.Transactions;
using Xunit;

namespace ChunkCompute.Tests.Storage.Transactions.Parts;

/// <summary>Snapshot pins: created without the commit lock, yet always seen (locked) by a collector.</summary>
public sealed class PinRegistryTests : IDisposable
{
    private readonly LogParts _log = new();

    public void Dispose() => _log.Dispose();

    private string[] PinNames() => [.. Directory.GetFiles(_log.Folder.Pins).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Fact]
    public void PinCreatedLockFree_IsSeenByTheCollector_AndLowersTheHorizon()
    {
        using var pins = new PinRegistry(_log.Folder);
        Assert.True(pins.TryCreate(3));
        Assert.True(pins.IsHeld);
        Assert.Equal(3, pins.Version);

        var (dead, horizon) = PinRegistry.RemoveDead(_log.Folder, horizon: 10);
        Assert.Equal(0, dead);
        Assert.Equal(3, horizon);
        Assert.Single(PinNames());
        Assert.EndsWith("@3", PinNames()[0], StringComparison.Ordinal);
        Assert.Equal((1, 0), PinRegistry.Count(_log.Folder));
    }

    [Fact]
    public void PinOfADeadProcess_IsRemoved_AndDoesNotLowerTheHorizon()
    {
        File.WriteAllBytes(Path.Combine(_log.Folder.Pins, "deadbeef@2"), []);
        Assert.Equal((0, 1), PinRegistry.Count(_log.Folder));

        var (dead, horizon) = PinRegistry.RemoveDead(_log.Folder, horizon: 10);
        Assert.Equal(1, dead);
        Assert.Equal(10, horizon);
        Assert.Empty(PinNames());
    }

    [Fact]
    public void MovingUp_KeepsTheLock_AndNeverMovesDown()
    {
        using var pins = new PinRegistry(_log.Folder);
        Assert.True(pins.TryCreate(2));
        pins.MoveUp(5);
        pins.MoveUp(4);
        Assert.Equal(5, pins.Version);
        var (dead, horizon) = PinRegistry.RemoveDead(_log.Folder, horizon: 10);
        Assert.Equal((0, 5), (dead, horizon));
    }

    [Fact]
    public void ReleasedPin_IsGone_AndNoLongerHoldsBackCollection()
    {
        var pins = new PinRegistry(_log.Folder);
        Assert.True(pins.TryCreate(1));
        pins.Dispose();
        Assert.False(pins.IsHeld);
        Assert.Empty(PinNames());
        Assert.Equal((0, 7), PinRegistry.RemoveDead(_log.Folder, horizon: 7));
    }

    [Fact]
    public void PinBeingCreated_IsLeftAlone_OnlyACrashedCreatorsOldOneIsRemoved()
    {
        string creating = Path.Combine(_log.Folder.Pins, LogFolder.TempPrefix + "a" + LogFolder.TempSuffix);
        string crashedNew = Path.Combine(_log.Folder.Pins, LogFolder.TempPrefix + "b" + LogFolder.TempSuffix);
        string crashedOld = Path.Combine(_log.Folder.Pins, LogFolder.TempPrefix + "c" + LogFolder.TempSuffix);
        using var held = LogParts.HoldLock(creating);
        File.SetLastWriteTimeUtc(creating, DateTime.UtcNow.AddHours(-1));
        File.WriteAllBytes(crashedNew, []);
        File.WriteAllBytes(crashedOld, []);
        File.SetLastWriteTimeUtc(crashedOld, DateTime.UtcNow.AddHours(-1));

        Assert.Equal((0, 0), PinRegistry.Count(_log.Folder)); // temporary names are not pins yet
        var (dead, horizon) = PinRegistry.RemoveDead(_log.Folder, horizon: 4);
        Assert.Equal((0, 4), (dead, horizon));
        Assert.True(File.Exists(creating), "a locked pin being created is never removed, however old");
        Assert.True(File.Exists(crashedNew), "a recent unlocked one may be about to be locked");
        Assert.False(File.Exists(crashedOld));
    }

    [Fact]
    public void PinsCannotBeWritten_CreateReportsFalse_AndASecondPinIsRefused()
    {
        Directory.Delete(_log.Folder.Pins);
        using var pins = new PinRegistry(_log.Folder);
        Assert.False(pins.TryCreate(1));
        Assert.False(pins.IsHeld);

        Directory.CreateDirectory(_log.Folder.Pins);
        Assert.True(pins.TryCreate(1));
        Assert.Throws<InvalidOperationException>(() => pins.TryCreate(2));
    }
}
