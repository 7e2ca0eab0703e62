using Azure;
using Azure.Storage.Blobs.Models;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.Azure;

/// <summary>Conditional requests: create-if-absent, compare-and-swap, conditional delete and copy, by ETag.</summary>
public sealed partial class AzureBlobStore
{
    /// <inheritdoc/>
    public bool SetIfAbsent(string key, ReadOnlySpan<byte> value) => Wait(SetIfAbsentAsync(key, value.ToArray()));

    /// <inheritdoc/>
    /// <remarks>An upload with <c>If-None-Match: *</c> (on the commit of staged blocks for a large value).</remarks>
    public async ValueTask<bool> SetIfAbsentAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        await Upload(key, value, new BlobRequestConditions { IfNoneMatch = ETag.All }, cancellationToken).ConfigureAwait(false) is not null;

    /// <inheritdoc/>
    public VersionedValue? GetVersioned(string key) => Wait(GetVersionedAsync(key));

    /// <inheritdoc/>
    /// <remarks>The version is the blob's ETag, read in the same response as the value.</remarks>
    public async ValueTask<VersionedValue?> GetVersionedAsync(string key, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(BlobName(key));
        try
        {
            var result = (await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
            return new VersionedValue(result.Content.ToMemory(), result.Details.ETag.ToString());
        }
        catch (RequestFailedException ex) when (IsMissingBlob(ex))
        {
            return null;
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            throw Unavailable(key, ex);
        }
    }

    /// <inheritdoc/>
    public string? SetIfVersion(string key, ReadOnlySpan<byte> value, string expectedVersion) => Wait(SetIfVersionAsync(key, value.ToArray(), expectedVersion));

    /// <inheritdoc/>
    /// <remarks>An upload with <c>If-Match: expectedVersion</c>; the new version is the ETag it returns.</remarks>
    public async ValueTask<string?> SetIfVersionAsync(string key, ReadOnlyMemory<byte> value, string expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expectedVersion);
        return await Upload(key, value, new BlobRequestConditions { IfMatch = new ETag(expectedVersion) }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public string? GetVersion(string key) => Wait(GetVersionAsync(key));

    /// <inheritdoc/>
    /// <remarks>One Get Blob Properties (<c>HEAD</c>); the version is the ETag, as <see cref="GetVersioned"/> returns it.</remarks>
    public async ValueTask<string?> GetVersionAsync(string key, CancellationToken cancellationToken = default) =>
        (await Properties(key, cancellationToken).ConfigureAwait(false))?.ETag.ToString();

    /// <inheritdoc/>
    public bool DeleteIfVersion(string key, string expectedVersion) => Wait(DeleteIfVersionAsync(key, expectedVersion));

    /// <inheritdoc/>
    /// <remarks>One Delete Blob with <c>If-Match: expectedVersion</c>; 412 (changed) and 404 (gone) are false.</remarks>
    public async ValueTask<bool> DeleteIfVersionAsync(string key, string expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expectedVersion);
        var blob = _container.GetBlobClient(BlobName(key));
        try
        {
            await blob.DeleteAsync(DeleteSnapshotsOption.None, new BlobRequestConditions { IfMatch = new ETag(expectedVersion) }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412 || IsMissingBlob(ex))
        {
            return false;
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            throw Unavailable(key, ex);
        }
    }

    /// <inheritdoc/>
    public CopyOutcome CopyIfAbsent(string source, string sourceVersion, string destination) => Wait(CopyIfAbsentAsync(source, sourceVersion, destination));

    /// <inheritdoc/>
    /// <remarks>
    /// With <see cref="StoreCapabilities.ServerSideCopy"/>: one Copy Blob from the source blob's URL with
    /// <c>x-ms-source-if-match: sourceVersion</c> and <c>If-None-Match: *</c>, both checked by the service atomically with
    /// the copy (409 BlobAlreadyExists is <see cref="CopyOutcome.DestinationExists"/>, 412 SourceConditionNotMet and 404
    /// <see cref="CopyOutcome.SourceChanged"/>; a 412 ConditionNotMet, which names no side, is told apart by a
    /// <c>HEAD</c> of the destination). A copy within the account completes in that request; one the service leaves
    /// pending is waited for (and a failed one removed). Without it: a <c>HEAD</c> of the destination, a read of the source with its ETag and an
    /// upload with <c>If-None-Match: *</c>.
    /// </remarks>
    public async ValueTask<CopyOutcome> CopyIfAbsentAsync(string source, string sourceVersion, string destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourceVersion);
        var from = _container.GetBlobClient(BlobName(source));
        var to = _container.GetBlobClient(BlobName(destination));
        if (!ServerSideCopy)
        {
            return await CopyThroughProcess(source, sourceVersion, destination, cancellationToken).ConfigureAwait(false);
        }

        var options = new BlobCopyFromUriOptions
        {
            SourceConditions = new BlobRequestConditions { IfMatch = new ETag(sourceVersion) },
            DestinationConditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
        };
        CopyFromUriOperation operation;
        try
        {
            operation = await to.StartCopyFromUriAsync(from.Uri, options, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode is "SourceConditionNotMet" || (IsMissingBlob(ex) && ex.ErrorCode is "BlobNotFound" or "CannotVerifyCopySource"))
        {
            // The source has another ETag, or is gone.
            return CopyOutcome.SourceChanged;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // 409 BlobAlreadyExists: the destination exists.
            return CopyOutcome.DestinationExists;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            // 412 ConditionNotMet names no side (Azurite answers it for the source's If-Match too): the destination tells.
            return await Properties(destination, cancellationToken).ConfigureAwait(false) is not null ? CopyOutcome.DestinationExists : CopyOutcome.SourceChanged;
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            throw Unavailable(destination, ex);
        }

        if (operation.GetRawResponse().Headers.TryGetValue("x-ms-copy-status", out string? status) && status == "success")
        {
            return CopyOutcome.Copied;
        }

        return await FinishCopy(operation, source, sourceVersion, destination, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What <see cref="StoreDefaults.CopyIfAbsent"/> does, with async requests: the copy when Copy Blob cannot be used.</summary>
    private async Task<CopyOutcome> CopyThroughProcess(string source, string sourceVersion, string destination, CancellationToken cancellationToken)
    {
        if (await Properties(destination, cancellationToken).ConfigureAwait(false) is not null)
        {
            return CopyOutcome.DestinationExists;
        }

        if (await GetVersionedAsync(source, cancellationToken).ConfigureAwait(false) is not { } current || current.Version != sourceVersion)
        {
            return CopyOutcome.SourceChanged;
        }

        return await SetIfAbsentAsync(destination, current.Value, cancellationToken).ConfigureAwait(false) ? CopyOutcome.Copied : CopyOutcome.DestinationExists;
    }

    /// <summary>
    /// Waits for a copy the service left pending (a copy within the account normally completes in its request). A copy
    /// that fails leaves a destination without the value: it is deleted (while it is still that blob), and the outcome is
    /// <see cref="CopyOutcome.SourceChanged"/> when the source has changed meanwhile, an error otherwise.
    /// </summary>
    private async Task<CopyOutcome> FinishCopy(CopyFromUriOperation operation, string source, string sourceVersion, string destination, CancellationToken cancellationToken)
    {
        try
        {
            await operation.WaitForCompletionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException)
        {
            // A failed or aborted copy: its status is read below.
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            throw Unavailable(destination, ex);
        }

        if (await Properties(destination, cancellationToken).ConfigureAwait(false) is not { } copied)
        {
            // Deleted by someone else as soon as it was made: it was copied.
            return CopyOutcome.Copied;
        }

        if (copied.CopyStatus is CopyStatus.Success || copied.CopyId != operation.Id)
        {
            // Copied (or, for another copy id, already replaced by a later write after ours completed).
            return CopyOutcome.Copied;
        }

        await DeleteIfVersionAsync(destination, copied.ETag.ToString(), cancellationToken).ConfigureAwait(false);
        if (await GetVersionAsync(source, cancellationToken).ConfigureAwait(false) != sourceVersion)
        {
            return CopyOutcome.SourceChanged;
        }

        throw new StoreUnavailableException(Name, $"Azure store '{Name}' failed to copy '{source}' to '{destination}': the copy ended {copied.CopyStatus} ({copied.CopyStatusDescription})");
    }
}
