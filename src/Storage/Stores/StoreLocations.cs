using System.Collections.Concurrent;

namespace ChunkCompute.Storage.Stores;

/// <summary>
/// Stores named by URL: <c>http://</c>/<c>https://</c> (<see cref="HttpStore"/>) are built in; object stores register
/// their scheme (<c>s3</c> from ChunkCompute.Storage.S3's <c>S3Store.Register()</c>, <c>az</c> from
/// ChunkCompute.Storage.Azure's <c>AzureBlobStore.Register()</c>). <see cref="ZarrStore.Open(string, ZarrStoreOptions?)"/>,
/// <see cref="ZarrStore.OpenExisting"/> and every CLI command accept any registered URL; anything else is a local path.
/// </summary>
public static class StoreLocations
{
    private static readonly ConcurrentDictionary<string, Func<string, IStore>> Schemes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["http"] = url => new HttpStore(url),
        ["https"] = url => new HttpStore(url),
    };

    /// <summary>Opens <paramref name="scheme"/>:// URLs with <paramref name="open"/> from now on (replacing any earlier).</summary>
    public static void Register(string scheme, Func<string, IStore> open)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scheme);
        ArgumentNullException.ThrowIfNull(open);
        Schemes[scheme] = open;
    }

    /// <summary>
    /// True when <paramref name="location"/> looks like a URL (<c>scheme://…</c> with a scheme of two or more letters,
    /// so a Windows drive letter is a path).
    /// </summary>
    public static bool IsUrl(string location) => Scheme(location) is not null;

    /// <summary>The store for a URL location.</summary>
    /// <exception cref="ArgumentException">The location is not a URL, or no store is registered for its scheme.</exception>
    public static IStore Open(string location)
    {
        string scheme = Scheme(location) ?? throw new ArgumentException($"'{location}' is not a URL", nameof(location));
        return Schemes.TryGetValue(scheme, out var open)
            ? open(location)
            : throw new ArgumentException(
                $"no store is registered for '{scheme}://' URLs ('{location}'): known schemes are {string.Join(", ", Schemes.Keys.Order(StringComparer.Ordinal))}"
                + (scheme.Equals("s3", StringComparison.OrdinalIgnoreCase) ? "; reference ChunkCompute.Storage.S3 and call S3Store.Register()"
                    : scheme.Equals("az", StringComparison.OrdinalIgnoreCase) ? "; reference ChunkCompute.Storage.Azure and call AzureBlobStore.Register()" : string.Empty),
                nameof(location));
    }

    private static string? Scheme(string location)
    {
        if (location is null)
        {
            return null;
        }

        int colon = location.IndexOf("://", StringComparison.Ordinal);
        return colon >= 2 && location[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.') && char.IsAsciiLetter(location[0])
            ? location[..colon]
            : null;
    }
}
