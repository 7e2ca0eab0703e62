using Azure.Core;
using Azure.Identity;

namespace ChunkCompute.Storage.Azure;

/// <summary>
/// Wraps the store's <see cref="TokenCredential"/> so that any failure to get a token (a custom credential may throw
/// anything) reaches the store as an <see cref="AuthenticationFailedException"/> naming the credential, which the store
/// turns into a <see cref="StoreUnavailableException"/> naming its URL. The caller's cancellation passes through.
/// </summary>
internal sealed class GuardedCredential(TokenCredential inner) : TokenCredential
{
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        try
        {
            return inner.GetToken(requestContext, cancellationToken);
        }
        catch (Exception ex) when (Wrap(ex, cancellationToken))
        {
            throw Failed(ex);
        }
    }

    public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        try
        {
            return await inner.GetTokenAsync(requestContext, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Wrap(ex, cancellationToken))
        {
            throw Failed(ex);
        }
    }

    private static bool Wrap(Exception ex, CancellationToken cancellationToken) =>
        !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested);

    private AuthenticationFailedException Failed(Exception ex) =>
        new($"{inner.GetType().Name} could not get a token: {ex.Message}", ex);
}
