using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.S3;

/// <summary>Conditional requests (when the service offers them): create-if-absent, compare-and-swap, conditional delete and copy, by ETag.</summary>
public sealed partial class S3Store
{
    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">Conditional writes are off (<see cref="S3StoreOptions.ConditionalWrites"/>).</exception>
    public bool SetIfAbsent(string key, ReadOnlySpan<byte> value)
    {
        Require(StoreCapabilities.ConditionalCreate, nameof(SetIfAbsent));
        return Wait(SetIfAbsentAsync(key, value.ToArray()));
    }

    /// <inheritdoc/>
    /// <remarks>A PutObject (or the completion of a multipart upload) with <c>If-None-Match: *</c>.</remarks>
    /// <exception cref="NotSupportedException">Conditional writes are off (<see cref="S3StoreOptions.ConditionalWrites"/>).</exception>
    public async ValueTask<bool> SetIfAbsentAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        Require(StoreCapabilities.ConditionalCreate, nameof(SetIfAbsent));
        return await Put(key, value, "*", null, cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">Conditional writes are off (<see cref="S3StoreOptions.ConditionalWrites"/>).</exception>
    public VersionedValue? GetVersioned(string key)
    {
        Require(StoreCapabilities.ConditionalUpdate, nameof(GetVersioned));
        return Wait(GetVersionedAsync(key));
    }

    /// <inheritdoc/>
    /// <remarks>The version is the object's ETag, from the same response as the value.</remarks>
    /// <exception cref="NotSupportedException">Conditional writes are off (<see cref="S3StoreOptions.ConditionalWrites"/>).</exception>
    public async ValueTask<VersionedValue?> GetVersionedAsync(string key, CancellationToken cancellationToken = default)
    {
        Require(StoreCapabilities.ConditionalUpdate, nameof(GetVersioned));
        if (await Read(key, null, cancellationToken).ConfigureAwait(false) is not var (owner, etag))
        {
            return null;
        }

        using (owner)
        {
            return new VersionedValue(owner.Memory.ToArray(), etag ?? throw new StoreUnavailableException(Name, $"S3 store '{Name}' returned '{key}' without an ETag"));
        }
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">Conditional writes are off (<see cref="S3StoreOptions.ConditionalWrites"/>).</exception>
    public string? SetIfVersion(string key, ReadOnlySpan<byte> value, string expectedVersion)
    {
        Require(StoreCapabilities.ConditionalUpdate, nameof(SetIfVersion));
        return Wait(SetIfVersionAsync(key, value.ToArray(), expectedVersion));
    }

    /// <inheritdoc/>
    /// <remarks>A PutObject (or the completion of a multipart upload) with <c>If-Match: expectedVersion</c>.</remarks>
    /// <exception cref="NotSupportedException">Conditional writes are off (<see cref="S3StoreOptions.ConditionalWrites"/>).</exception>
    public async ValueTask<string?> SetIfVersionAsync(string key, ReadOnlyMemory<byte> value, string expectedVersion, CancellationToken cancellationToken = default)
    {
        Require(StoreCapabilities.ConditionalUpdate, nameof(SetIfVersion));
        ArgumentNullException.ThrowIfNull(expectedVersion);
        return await Put(key, value, null, expectedVersion, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">Conditional writes are off (<see cref="S3StoreOptions.ConditionalWrites"/>).</exception>
    public string? GetVersion(string key)
    {
        Require(StoreCapabilities.ConditionalUpdate, nameof(GetVersion));
        return Wait(GetVersionAsync(key));
    }

    /// <inheritdoc/>
    /// <remarks>One HeadObject; the version is the ETag, as <see cref="GetVersioned"/> returns it.</remarks>
    /// <exception cref="NotSupportedException">Conditional writes are off (<see cref="S3StoreOptions.ConditionalWrites"/>).</exception>
    public async ValueTask<string?> GetVersionAsync(string key, CancellationToken cancellationToken = default)
    {
        Require(StoreCapabilities.ConditionalUpdate, nameof(GetVersion));
        if (await Head(key, cancellationToken).ConfigureAwait(false) is not { } head)
        {
            return null;
        }

        return head.ETag ?? throw new StoreUnavailableException(Name, $"S3 store '{Name}' described '{key}' without an ETag");
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">Conditional writes are off (<see cref="S3StoreOptions.ConditionalWrites"/>).</exception>
    public bool DeleteIfVersion(string key, string expectedVersion)
    {
        Require(StoreCapabilities.ConditionalDelete, nameof(DeleteIfVersion));
        return Wait(DeleteIfVersionAsync(key, expectedVersion));
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One DeleteObject with <c>If-Match: expectedVersion</c>; 412 (changed) and 404 (gone) are false, and a 409
    /// ConditionalRequestConflict (a concurrent conditional request on the key) is retried.
    /// </remarks>
    /// <exception cref="NotSupportedException">Conditional writes are off (<see cref="S3StoreOptions.ConditionalWrites"/>).</exception>
    public async ValueTask<bool> DeleteIfVersionAsync(string key, string expectedVersion, CancellationToken cancellationToken = default)
    {
        Require(StoreCapabilities.ConditionalDelete, nameof(DeleteIfVersion));
        ArgumentNullException.ThrowIfNull(expectedVersion);
        var request = new DeleteObjectRequest { BucketName = _bucket, Key = ObjectKey(key), IfMatch = expectedVersion };
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await _client.DeleteObjectAsync(request, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.PreconditionFailed || (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode is not "NoSuchBucket"))
            {
                return false;
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.Conflict && attempt < _maxRetries)
            {
                await ConflictDelay(attempt, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsFailure(ex, cancellationToken))
            {
                throw Unavailable(key, ex);
            }
        }
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">Conditional writes are off (<see cref="S3StoreOptions.ConditionalWrites"/>).</exception>
    public CopyOutcome CopyIfAbsent(string source, string sourceVersion, string destination)
    {
        Require(StoreCapabilities.ConditionalUpdate, nameof(CopyIfAbsent));
        return Wait(CopyIfAbsentAsync(source, sourceVersion, destination));
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One CopyObject within the bucket with <c>x-amz-copy-source-if-match: sourceVersion</c> and <c>If-None-Match: *</c>
    /// (the service copies; S3 copies up to 5 GB in one request). S3 answers 412 for either condition: a HeadObject of
    /// the destination then tells <see cref="CopyOutcome.DestinationExists"/> from <see cref="CopyOutcome.SourceChanged"/>.
    /// A 404 (the source is gone) is <see cref="CopyOutcome.SourceChanged"/>; a 409 ConditionalRequestConflict is retried.
    /// </remarks>
    /// <exception cref="NotSupportedException">Conditional writes are off (<see cref="S3StoreOptions.ConditionalWrites"/>).</exception>
    public async ValueTask<CopyOutcome> CopyIfAbsentAsync(string source, string sourceVersion, string destination, CancellationToken cancellationToken = default)
    {
        Require(StoreCapabilities.ConditionalUpdate, nameof(CopyIfAbsent));
        ArgumentNullException.ThrowIfNull(sourceVersion);
        var request = new CopyObjectRequest
        {
            SourceBucket = _bucket,
            SourceKey = ObjectKey(source),
            DestinationBucket = _bucket,
            DestinationKey = ObjectKey(destination),
            ETagToMatch = sourceVersion,
            IfNoneMatch = "*",
        };
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await _client.CopyObjectAsync(request, cancellationToken).ConfigureAwait(false);
                return CopyOutcome.Copied;
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                return await Head(destination, cancellationToken).ConfigureAwait(false) is not null ? CopyOutcome.DestinationExists : CopyOutcome.SourceChanged;
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode is not "NoSuchBucket")
            {
                return CopyOutcome.SourceChanged;
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.Conflict && attempt < _maxRetries)
            {
                await ConflictDelay(attempt, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsFailure(ex, cancellationToken))
            {
                throw Unavailable(destination, ex);
            }
        }
    }

    private void Require(StoreCapabilities capability, string operation)
    {
        if ((_conditional & capability) == 0)
        {
            throw new NotSupportedException(
                $"store '{Name}' ({nameof(S3Store)}) does not support {operation}: it lacks StoreCapabilities.{capability} (its capabilities: {Capabilities}); " +
                "S3 honours conditional writes, but S3-compatible servers may ignore them, so a custom endpoint needs S3StoreOptions.ConditionalWrites = true");
        }
    }
}
