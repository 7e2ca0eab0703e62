using System.Globalization;
using System.Text;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.Transactions;

/// <summary>Commits: the commit point, publishing, and waiting for (or finishing) other writers' commits.</summary>
internal sealed partial class ObjectVersionLog
{
    // ---------------------------------------------------------------- transactions

    /// <inheritdoc/>
    public TransactionStaging CreateStaging(string id)
    {
        if (IsReadOnly)
        {
            throw new UnauthorizedAccessException($"store '{Name}' is read-only for this process: it can be read, not changed");
        }

        // A staging lives as long as its handle's pin: `gc` removes the stagings of handles whose pin is dead.
        if (Volatile.Read(ref _pinVersion) < 0)
        {
            throw new IOException($"store '{Name}': a transaction needs this handle's pin ('{PinKey}'), which could not be written");
        }

        return new ObjectStaging(_store, StagingPrefix + _handleId + "." + id + "/", id);
    }

    /// <inheritdoc/>
    public TransactionStaging JoinStaging(string id)
    {
        if (IsReadOnly)
        {
            throw new UnauthorizedAccessException($"store '{Name}' is read-only for this process: it can be read, not changed");
        }

        // The owner's staging prefix names its handle (whose pin keeps the staging from collection) and the id; the
        // marker says the transaction is open and was offered to joined writers (Transaction.Id writes it).
        string suffix = "." + id;
        foreach (var name in _store.ListDirectory(StagingPrefix[..^1]))
        {
            if (!name.EndsWith(suffix, StringComparison.Ordinal) || name.Length == suffix.Length)
            {
                continue;
            }

            string prefix = StagingPrefix + name + "/";
            string owner = name[..^suffix.Length];
            if (!_store.Exists(prefix + ObjectStaging.MarkerName))
            {
                break;
            }

            if (!_store.Exists(PinPrefix + owner))
            {
                throw new InvalidOperationException($"store '{Name}' has no open transaction '{id}': the pin of the handle that began it ('{PinPrefix + owner}') is gone (its process ended)");
            }

            return new ObjectStaging(_store, prefix, id, joined: true);
        }

        throw new InvalidOperationException($"store '{Name}' has no open transaction '{id}': no staging of it is marked open under '{StagingPrefix}' (it was committed or aborted, its process ended, or it was begun on another store)");
    }

    // The pin keeps this handle's stagings from collection; a handle that could not renew it for half its lease (a
    // paused process, a lost connection) renews it now or gives up before its commit point.
    private void RequireFreshPin()
    {
        var since = System.Diagnostics.Stopwatch.GetElapsedTime(Volatile.Read(ref _pinWrittenAt));
        if (since < _timings.PinLease / 2)
        {
            return;
        }

        lock (_views)
        {
            if (!TryWritePin(Math.Max(_pinVersion, 0)))
            {
                throw new IOException($"store '{Name}': this handle's pin was not renewed for {since.TotalSeconds:0} s and cannot be now, so its staged values may have been collected; the transaction is not committed");
            }
        }
    }

    /// <inheritdoc/>
    public long Commit(TransactionStaging staging, long startVersion, IReadOnlyDictionary<string, string?> changes, IEnumerable<string> reads, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var watched = new HashSet<string>(changes.Keys, StringComparer.Ordinal);
        watched.UnionWith(reads);
        var ordered = changes.OrderBy(kv => VersionedDirectory.IsMetadataKey(kv.Key) ? 1 : 0).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var waitUntil = DateTime.UtcNow + _waitTimeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long latest = PublishedHead(waitUntil, cancellationToken);
            CheckConflicts(startVersion, latest, watched);

            // Every commit up to `latest` is published, so the live keys are at version `latest`: their versions now are
            // the "before" versions the publishing of this commit is conditioned on.
            var befores = new string?[ordered.Count];
            ForEach(Enumerable.Range(0, ordered.Count), async (i, ct) => befores[i] = await _store.GetVersionAsync(ordered[i].Key, ct).ConfigureAwait(false), cancellationToken);
            var entries = new List<ObjectEntry>();
            for (int i = 0; i < ordered.Count; i++)
            {
                var (key, handle) = ordered[i];
                if (handle is null && befores[i] is null)
                {
                    continue;
                }

                entries.Add(new ObjectEntry(key, befores[i], handle));
            }

            if (entries.Count == 0)
            {
                return latest;
            }

            cancellationToken.ThrowIfCancellationRequested(); // the last point where cancelling leaves nothing behind
            RequireFreshPin();
            var now = DateTime.UtcNow;
            var record = new ObjectRecord
            {
                Number = latest + 1,
                Base = startVersion,
                Transaction = staging.Id,
                Time = now,
                LeaseUntil = now + _timings.CommitLease + (_timings.LeasePerKey * entries.Count / _parallelism),
                Entries = entries,
            };
            // From here the staged values may belong to a commit: kept unless the record is known not to exist.
            var objectStaging = (ObjectStaging)staging;
            objectStaging.Retained = true;
            bool created;
            try
            {
                created = _store.SetIfAbsent(LogKey(record.Number), record.ToJson());
            }
            catch (Exception ex) when (ex is IOException or StoreUnavailableException or TimeoutException)
            {
                // The answer was lost: the record may exist. If it does, the transaction is committed.
                ObjectRecord? found = null;
                try
                {
                    found = _index.Read(record.Number);
                }
                catch (Exception readError) when (readError is IOException or StoreUnavailableException or TimeoutException or InvalidMetadataException)
                {
                }

                if (found is null || found.Transaction != record.Transaction || found.Time != record.Time)
                {
                    throw new IOException($"store '{Name}': the commit point of version {record.Number} (creating '{LogKey(record.Number)}') failed ({ex.Message}); the transaction is not committed (its staged values are kept until `gc`, in case the request reached the service after all: then the next writer publishes it)", ex);
                }

                created = true;
            }

            if (!created)
            {
                // Another writer made this version first: wait for it, check it for conflicts, try the next. Unless it
                // is this very record: a request retried after its answer was lost finds the key it created.
                if (_index.Read(record.Number) is not { } made || made.Transaction != record.Transaction || made.Time != record.Time)
                {
                    objectStaging.Retained = false;
                    continue;
                }
            }

            // Committed. Its staged values now belong to the log until the commit is published.
            _index.Add(record);
            try
            {
                Publish(record, record.LeaseUntil);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new IOException($"version {record.Number} of store '{Name}' is committed but not yet fully published ({ex.Message}); readers see version {record.Number - 1} until it is: the next commit, `chunkcompute gc` or `verify` finishes publishing it after its lease ends at {record.LeaseUntil:O} (+{_timings.ClockSkew.TotalSeconds:0} s)", ex);
            }

            ((ObjectStaging)staging).Retained = false;
            ((ObjectStaging)staging).Published = true; // publishing deleted its values
            if (record.Number % AutoCollectEvery == 0)
            {
                try
                {
                    Collect(CancellationToken.None);
                }
                catch (Exception ex) when (ex is IOException or StoreUnavailableException or InvalidMetadataException)
                {
                    // best effort: the commit is published whatever happens here
                }
            }

            return record.Number;
        }
    }

    // The head after publishing what may be published: a commit whose writer's lease has ended is finished here; one
    // whose writer is inside its lease is waited for until `waitUntil` (then a TimeoutException), or, with no
    // `waitUntil`, not waited for (the head below it is returned). With a wait, the result is also the latest record.
    private long PublishedHead(DateTime? waitUntil, CancellationToken cancellationToken)
    {
        int attempt = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long head = ReadVersion();
            _index.Refresh();
            if (_index.Known <= head)
            {
                return head;
            }

            var pending = _index.RecordOf(head + 1);
            if (DateTime.UtcNow > pending.LeaseUntil + _timings.ClockSkew)
            {
                Publish(pending, deadline: null); // its writer died or stalled: finish it
                continue;
            }

            if (waitUntil is not { } until)
            {
                return head;
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"store '{Name}': waited {_waitTimeout.TotalSeconds:0} s for commit {pending.Number} (transaction {pending.Transaction}) to be published by its writer, whose lease ends at {pending.LeaseUntil:O}");
            }

            Thread.Sleep(Math.Min(1 << Math.Min(attempt++, 6), 50));
        }
    }

    private void CheckConflicts(long startVersion, long latest, HashSet<string> watched)
    {
        for (long n = startVersion + 1; n <= latest; n++)
        {
            var record = _index.RecordOf(n);
            foreach (var e in record.Entries.OrderBy(e => VersionedDirectory.IsMetadataKey(e.Key) ? 0 : 1))
            {
                if (watched.Contains(e.Key))
                {
                    throw new ConflictException(Name, VersionedDirectory.NodeOf(e.Key), e.Key, startVersion, n);
                }
            }
        }
    }

    // Publishes a commit: for each key, keep the value it replaces (unless already kept or already replaced), replace it
    // only while it still has its "before" version, then advance the head. Every step is idempotent and conditional, so
    // two publishers of one commit (a slow writer and a finisher) produce the same result, and neither can touch a key
    // once a later commit has changed it. `deadline`: the writer stops at the end of its lease.
    private void Publish(ObjectRecord record, DateTime? deadline)
    {
        // Chunks at once, then metadata in order: a plain reader sees new metadata only over new chunks.
        ForEach(record.Entries.Where(e => !VersionedDirectory.IsMetadataKey(e.Key)), (e, ct) => PublishEntryAsync(record, e, deadline, ct), CancellationToken.None);
        foreach (var e in record.Entries.Where(e => VersionedDirectory.IsMetadataKey(e.Key)))
        {
            PublishEntryAsync(record, e, deadline, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }

        CheckLease(record, deadline);
        while (true)
        {
            var (head, tag) = ReadHeadVersioned();
            if (head >= record.Number)
            {
                break;
            }

            if (head != record.Number - 1)
            {
                throw new InvalidMetadataException(Name, HeadKey, $"the head is at version {head} while commit {record.Number} is published (commits publish in order)");
            }

            if (_store.SetIfVersion(HeadKey, Encoding.UTF8.GetBytes(record.Number.ToString(CultureInfo.InvariantCulture)), tag) is not null)
            {
                break;
            }
        }

        // The staged values are no longer needed (every reader of the new version reads the live keys).
        ForEach(record.Entries.Select(e => e.Staged).OfType<string>(), async (k, ct) => await _store.DeleteAsync(k, ct).ConfigureAwait(false), CancellationToken.None);
    }

    private async ValueTask PublishEntryAsync(ObjectRecord record, ObjectEntry e, DateTime? deadline, CancellationToken cancellationToken)
    {
        CheckLease(record, deadline);
        if (e.Before is { } before)
        {
            var kept = await _store.CopyIfAbsentAsync(e.Key, before, PreKey(record.Number, e.Key), cancellationToken).ConfigureAwait(false);
            if (kept == CopyOutcome.SourceChanged)
            {
                return; // already replaced (or deleted) by another publisher of this commit
            }

            CheckLease(record, deadline);
            if (e.Staged is null)
            {
                await _store.DeleteIfVersionAsync(e.Key, before, cancellationToken).ConfigureAwait(false);
                return;
            }

            using var value = await _store.GetPooledAsync(e.Staged, cancellationToken).ConfigureAwait(false);
            if (value is not null)
            {
                await _store.SetIfVersionAsync(e.Key, value.Memory, before, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                RequirePublished(record, e);
            }
        }
        else if (e.Staged is not null)
        {
            if (_store.Capabilities.HasFlag(StoreCapabilities.ServerSideCopy))
            {
                // A new key: the service copies the staged value (no bytes through this process). A missing staged value
                // was published and removed already.
                if (await _store.GetVersionAsync(e.Staged, cancellationToken).ConfigureAwait(false) is { } staged)
                {
                    await _store.CopyIfAbsentAsync(e.Staged, staged, e.Key, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    RequirePublished(record, e);
                }

                return;
            }

            using var value = await _store.GetPooledAsync(e.Staged, cancellationToken).ConfigureAwait(false);
            if (value is not null)
            {
                await _store.SetIfAbsentAsync(e.Key, value.Memory, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                RequirePublished(record, e);
            }
        }
    }

    // A staged value is removed only once its commit is published; missing before that, it was lost (collected while its
    // writer was paused past its pin): an error naming it, never a commit published without it.
    private void RequirePublished(ObjectRecord record, ObjectEntry e)
    {
        if (ReadVersion() < record.Number)
        {
            throw new InvalidMetadataException(Name, e.Staged!, $"the staged value of '{e.Key}' in commit {record.Number} is missing while the commit is not yet published (removed by a collection after its writer's pin lapsed?)");
        }
    }

    // Runs independent requests `_parallelism` at a time, as asynchronous requests (no thread waits on one), and waits
    // for them; the first failure is rethrown as itself.
    private void ForEach<T>(IEnumerable<T> items, Func<T, CancellationToken, ValueTask> body, CancellationToken cancellationToken)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = _parallelism, CancellationToken = cancellationToken };
        Task.Run(() => Parallel.ForEachAsync(items, options, body), cancellationToken).GetAwaiter().GetResult();
    }

    private static string StagingOf(ObjectRecord record)
    {
        string? first = record.Entries.Select(e => e.Staged).FirstOrDefault(s => s is not null);
        if (first is null)
        {
            return StagingPrefix + "\0none/";
        }

        int end = first.IndexOf('/', StagingPrefix.Length);
        return first[..(end + 1)];
    }

    private void CheckLease(ObjectRecord record, DateTime? deadline)
    {
        if (deadline is { } d && DateTime.UtcNow > d)
        {
            throw new TimeoutException($"publishing commit {record.Number} took longer than its lease ({_timings.CommitLease.TotalSeconds:0} s); the writer stops so that another can finish it");
        }
    }
}
