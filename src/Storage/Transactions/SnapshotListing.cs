namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// What the logs and a transaction share about snapshots: a handle's live views (the oldest decides its pin), and the
/// children of a prefix at a version, from the live listing corrected by the changes made after it.
/// </summary>
internal static class SnapshotListing
{
    /// <summary>
    /// The oldest version a view still alive and not released reads, or null when none is; drops collected views.
    /// Call under the lock that guards <paramref name="views"/>.
    /// </summary>
    public static long? OldestLive(List<WeakReference<SnapshotView>> views)
    {
        long min = long.MaxValue;
        views.RemoveAll(w => !w.TryGetTarget(out _));
        foreach (var w in views)
        {
            if (w.TryGetTarget(out var v) && !v.IsReleased)
            {
                min = Math.Min(min, v.Version);
            }
        }

        return min == long.MaxValue ? null : min;
    }

    /// <summary>
    /// The immediate children of <paramref name="prefix"/>: <paramref name="liveNames"/> (the children listed now),
    /// plus those of keys <paramref name="changes"/> says exist, minus those whose keys it says do not and under which
    /// nothing else exists (<paramref name="exists"/> and <paramref name="list"/> answer at the same version).
    /// </summary>
    public static HashSet<string> Children(
        IEnumerable<string> liveNames, string prefix, IEnumerable<(string Key, bool Exists)> changes, Func<string, bool> exists, Func<string, IEnumerable<string>> list)
    {
        var names = liveNames.ToHashSet(StringComparer.Ordinal);
        string p = prefix.Trim('/');
        string pp = p.Length == 0 ? string.Empty : p + "/";
        var doubtful = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, keyExists) in changes)
        {
            if (!key.StartsWith(pp, StringComparison.Ordinal))
            {
                continue;
            }

            string rest = key[pp.Length..];
            int slash = rest.IndexOf('/', StringComparison.Ordinal);
            string child = slash < 0 ? rest : rest[..slash];
            if (keyExists)
            {
                names.Add(child);
            }
            else
            {
                doubtful.Add(child);
            }
        }

        foreach (var child in doubtful)
        {
            if (names.Contains(child) && !exists(pp + child) && !list(pp + child + "/").Any())
            {
                names.Remove(child);
            }
        }

        return names;
    }
}
