using System.Globalization;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// Snapshot pins. A pin is a file <c>pins/id@version</c> that its handle keeps locked while it lives: it promises that
/// pre-images of commits above that version stay. Readers never take the commit lock, so a pin is created locked under a
/// temporary name and then renamed (the lock belongs to the file, not its name): a collector listing the folder never
/// sees a live pin unlocked. A pin whose lock is free belongs to a dead process and is removed by the next collection.
/// One instance holds (at most) one handle's pin; <see cref="RemoveDead"/> and <see cref="Count"/> look at everyone's.
/// </summary>
internal sealed class PinRegistry : IDisposable
{
    private readonly LogFolder _folder;
    private FileStream? _pin;
    private string? _path;

    /// <summary>A registry for one handle's pin in <paramref name="folder"/>'s <c>pins/</c>.</summary>
    public PinRegistry(LogFolder folder) => _folder = folder;

    /// <summary>True while this handle holds a pin.</summary>
    public bool IsHeld => _pin is not null;

    /// <summary>The version this handle's pin keeps readable (meaningful while <see cref="IsHeld"/>).</summary>
    public long Version { get; private set; }

    /// <summary>
    /// Creates this handle's pin at <paramref name="version"/>. False when the log cannot be written here (views then go
    /// without a pin).
    /// </summary>
    /// <exception cref="InvalidOperationException">This handle already holds a pin.</exception>
    public bool TryCreate(long version)
    {
        if (_pin is not null)
        {
            throw new InvalidOperationException($"store '{_folder.StoreName}': this handle already holds a pin (at version {Version})");
        }

        string id = Guid.NewGuid().ToString("N");
        string pending = Path.Combine(_folder.Pins, LogFolder.TempPrefix + id + LogFolder.TempSuffix);
        string path = Path.Combine(_folder.Pins, $"{id}@{version.ToString(CultureInfo.InvariantCulture)}");
        FileStream pin;
        try
        {
            pin = new FileStream(pending, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            return false;
        }

        try
        {
            LogFolder.HeldHere(path, pin);
            File.Move(pending, path);
        }
        catch
        {
            LogFolder.ReleasedHere(path);
            pin.Dispose();
            LogFolder.TryDeleteFile(pending);
            throw;
        }

        _pin = pin;
        _path = path;
        Version = version;
        return true;
    }

    /// <summary>
    /// Moves the pin up to <paramref name="version"/> (by renaming it: the lock stays), so older pre-images can be
    /// collected. Nothing happens without a pin or when the version is not higher; a failed rename keeps the older pin,
    /// which is more conservative and still correct.
    /// </summary>
    public void MoveUp(long version)
    {
        if (_path is null || version <= Version)
        {
            return;
        }

        string name = Path.GetFileName(_path);
        string path = Path.Combine(_folder.Pins, name[..name.IndexOf('@', StringComparison.Ordinal)] + "@" + version.ToString(CultureInfo.InvariantCulture));
        LogFolder.HeldHere(path, _pin!);
        try
        {
            File.Move(_path, path);
            LogFolder.ReleasedHere(_path);
            _path = path;
            Version = version;
        }
        catch (IOException)
        {
            LogFolder.ReleasedHere(path); // keep the older pin
        }
    }

    /// <summary>Releases this handle's pin (unlocks and deletes it).</summary>
    public void Dispose()
    {
        if (_pin is not null)
        {
            _pin.Dispose();
            LogFolder.TryDeleteFile(_path!);
            LogFolder.ReleasedHere(_path!);
            _pin = null;
            _path = null;
        }
    }

    /// <summary>
    /// Removes the pins of dead processes (and temporary pins a crashed creator left over ten minutes ago) and lowers
    /// <paramref name="horizon"/> to the oldest live pin. Call under the commit lock, with the version read before.
    /// </summary>
    public static (int DeadPins, long Horizon) RemoveDead(LogFolder folder, long horizon)
    {
        int deadPins = 0;
        foreach (var pin in LogFolder.Entries(folder.Pins))
        {
            string name = Path.GetFileName(pin);
            if (LogFolder.IsTempName(name))
            {
                // a pin being created: its creator renames it in a moment; a crashed creator's is old and unlocked
                if (File.GetLastWriteTimeUtc(pin) < DateTime.UtcNow.AddMinutes(-10) && LogFolder.IsAbandoned(pin))
                {
                    LogFolder.TryDeleteFile(pin);
                }

                continue;
            }

            if (VersionOf(name) is not { } v)
            {
                continue;
            }

            if (LogFolder.IsAbandoned(pin))
            {
                LogFolder.TryDeleteFile(pin);
                deadPins++;
            }
            else
            {
                horizon = Math.Min(horizon, v);
            }
        }

        return (deadPins, horizon);
    }

    /// <summary>Counts live and dead pins (temporary ones aside), changing nothing.</summary>
    public static (int Live, int Dead) Count(LogFolder folder)
    {
        int live = 0;
        int dead = 0;
        foreach (var pin in LogFolder.Entries(folder.Pins).Where(p => !LogFolder.IsTempName(Path.GetFileName(p))))
        {
            if (LogFolder.IsAbandoned(pin))
            {
                dead++;
            }
            else
            {
                live++;
            }
        }

        return (live, dead);
    }

    // The version in a pin's name `id@version`; null for a name of another form.
    private static long? VersionOf(string name)
    {
        int at = name.LastIndexOf('@');
        return at >= 0 && long.TryParse(name[(at + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v : null;
    }
}
