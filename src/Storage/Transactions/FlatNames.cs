using System.Security.Cryptography;
using System.Text;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// The log's flat file names for keys: a staged value is <c>staging/ID.NAME~</c> and a pre-image <c>pre/N.NAME~</c>,
/// where NAME is the key with <c>%</c>, <c>/</c> and <c>#</c> escaped (<c>%25</c>, <c>%2F</c>, <c>%23</c>), so a key's
/// file sits directly in its log folder and a commit creates no directories (a directory per transaction and per array
/// was most of a small commit's file-system work: bench/analysis/commit_latency.md). A key whose escaped name would be
/// too long for one file name is named <c>#</c> and the SHA-256 of the key instead; either way one key has one name.
/// </summary>
internal static class FlatNames
{
    // Linux and Windows allow 255 bytes (UTF-16 units on Windows) per name; the owner's prefix (a transaction id of at
    // most 43 characters or a commit number of at most 19 digits, and '.') and the '~' suffix need the rest.
    private const int MaxNameBytes = 200;

    /// <summary>The separator between a name's owner (transaction id or commit number) and its key.</summary>
    public const char Separator = '.';

    /// <summary>The flat name of <paramref name="key"/>.</summary>
    public static string Of(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        string escaped = key.AsSpan().IndexOfAny('%', '/', '#') < 0
            ? key
            : key.Replace("%", "%25", StringComparison.Ordinal).Replace("/", "%2F", StringComparison.Ordinal).Replace("#", "%23", StringComparison.Ordinal);
        if (Encoding.UTF8.GetByteCount(escaped) <= MaxNameBytes)
        {
            return escaped;
        }

        return "#" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    /// <summary>The owner part of a flat entry's name (all of it when it has no separator: a folder of the older layout).</summary>
    public static string OwnerOf(string name)
    {
        int dot = name.IndexOf(Separator, StringComparison.Ordinal);
        return dot < 0 ? name : name[..dot];
    }
}
