using System.Globalization;
using System.Text.Json;

namespace ChunkCompute.Storage.Transactions;

/// <summary>Collection and inspection: pins, orphaned stagings, records and pre-images no snapshot needs.</summary>
internal sealed partial class ObjectVersionLog
{
    // ---------------------------------------------------------------- maintenance

    /// <inheritdoc/>
    public CollectResult Collect(CancellationToken cancellationToken)
    {
        if (IsReadOnly)
        {
            throw new UnauthorizedAccessException($"store '{Name}' is read-only for this process: it can be read, not changed");
        }

        // Commits whose writers died are finished first (so their stagings are no longer needed).
        long head = PublishedHead(waitUntil: null, cancellationToken);
        var (livePins, deadPins) = ReadPins();
        long horizon = livePins.Count == 0 ? head : Math.Min(head, livePins.Values.Min());

        int deadPinCount = 0;
        foreach (var key in deadPins)
        {
            deadPinCount += _store.Delete(key) ? 1 : 0;
        }

        int records = 0;
        foreach (var key in _store.List(LogPrefix).ToList())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (NumberIn(key, LogPrefix) is { } n && n <= horizon && _store.Delete(key))
            {
                records++;
            }
        }

        var preVersions = new HashSet<long>();
        foreach (var key in _store.List(PrePrefix).ToList())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (NumberIn(key, PrePrefix) is { } n && n <= horizon)
            {
                _store.Delete(key);
                preVersions.Add(n);
            }
        }

        int orphans = 0;
        foreach (var prefix in OrphanedStagings(head, livePins))
        {
            foreach (var key in _store.List(prefix).ToList())
            {
                _store.Delete(key);
            }

            orphans++;
        }

        return new CollectResult(preVersions.Count, records, deadPinCount, orphans, horizon);
    }

    // Every pin: the live ones by handle id (with the version each holds), and the keys of dead ones (expired or not pins).
    private (Dictionary<string, long> Live, List<string> Dead) ReadPins()
    {
        var live = new Dictionary<string, long>(StringComparer.Ordinal);
        var dead = new List<string>();
        var now = DateTime.UtcNow;
        foreach (var key in _store.List(PinPrefix).ToList())
        {
            using var bytes = _store.GetPooled(key);
            if (bytes is null)
            {
                continue; // removed meanwhile
            }

            ObjectPin? pin = null;
            try
            {
                pin = JsonSerializer.Deserialize(bytes.Memory.Span, ObjectRecordJson.Default.ObjectPin);
            }
            catch (JsonException)
            {
            }

            if (pin is not null && pin.Expires + _timings.ClockSkew >= now)
            {
                live[key[PinPrefix.Length..]] = pin.Version;
            }
            else
            {
                dead.Add(key);
            }
        }

        return (live, dead);
    }

    // Staging prefixes of transactions whose handle has no live pin and that no unpublished commit needs.
    private List<string> OrphanedStagings(long head, Dictionary<string, long> livePins)
    {
        var needed = new HashSet<string>(StringComparer.Ordinal);
        for (long n = head + 1; n <= _index.Known; n++)
        {
            needed.Add(StagingOf(_index.RecordOf(n)));
        }

        var orphaned = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in _store.List(StagingPrefix))
        {
            int slash = key.IndexOf('/', StagingPrefix.Length);
            if (slash < 0)
            {
                continue;
            }

            string prefix = key[..(slash + 1)];
            string id = key[StagingPrefix.Length..slash];
            int dot = id.IndexOf('.', StringComparison.Ordinal);
            string handle = dot < 0 ? id : id[..dot];
            if (!livePins.ContainsKey(handle) && handle != _handleId && !needed.Contains(prefix))
            {
                orphaned.Add(prefix);
            }
        }

        return [.. orphaned];
    }

    private static long? NumberIn(string key, string prefix)
    {
        string rest = key[prefix.Length..];
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        string digits = slash < 0 ? rest : rest[..slash];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : null;
    }

    /// <inheritdoc/>
    public LogInspection Inspect()
    {
        long head = ReadVersion();
        _index.Refresh();
        var problems = new List<string>();
        var now = DateTime.UtcNow;
        for (long n = head + 1; n <= _index.Known; n++)
        {
            var r = _index.RecordOf(n);
            if (now > r.LeaseUntil + _timings.ClockSkew)
            {
                problems.Add($"store '{Name}': commit {n} is committed but not fully published ('{LogKey(n)}'), and its writer's lease ended at {r.LeaseUntil:O}: the next commit or `chunkcompute gc` finishes publishing it");
            }
        }

        var (live, dead) = ReadPins();
        var orphaned = OrphanedStagings(head, live);
        foreach (var prefix in orphaned)
        {
            problems.Add($"store '{Name}': orphaned staging '{prefix}' of a transaction whose process died (`chunkcompute gc` removes it)");
        }

        var notes = dead.Count > 0 ? new[] { $"{dead.Count} snapshot pin(s) of dead processes (`chunkcompute gc` removes them)" } : [];
        return new LogInspection(live.Count, dead.Count, 0, problems, notes);
    }
}
