using ChunkCompute.Storage;

namespace ChunkCompute.Cli.Commands;

/// <summary>
/// Checks of positional paths before anything is opened, so swapped arguments (a file where a store is expected, or
/// a store where a file is expected) get a usage error that says what was expected, and store-level checks that
/// restate library refusals in CLI terms (<c>--format</c>, <c>--overwrite</c>).
/// </summary>
internal static class CliPaths
{
    private static readonly string[] FileExtensions = [".npy", ".csv", ".tsv"];

    /// <summary>Refuses a STORE argument that is a regular file or names a .npy/.csv/.tsv file.</summary>
    public static void RequireStore(string command, string usage, string name, string path)
    {
        if (File.Exists(path) || (!Directory.Exists(path) && FileExtensions.Contains(Path.GetExtension(path).ToLowerInvariant())))
        {
            throw new UsageException($"{command}: {name} '{path}' is {(File.Exists(path) ? "a file" : "a file name")}, but {name} must be a Zarr store (a directory); usage: chunkcompute {usage}");
        }
    }

    /// <summary>Refuses a FILE argument that is a directory (a store given where the file belongs).</summary>
    public static void RequireFile(string command, string usage, string name, string path, bool mustExist)
    {
        if (Directory.Exists(path))
        {
            throw new UsageException($"{command}: {name} '{path}' is a directory{(IsStore(path) ? " (a Zarr store)" : string.Empty)}, but {name} must be a file; usage: chunkcompute {usage}");
        }

        if (mustExist && !File.Exists(path))
        {
            throw new UsageException($"{command}: {name} '{path}' does not exist; usage: chunkcompute {usage}");
        }
    }

    private static bool IsStore(string path) =>
        File.Exists(Path.Combine(path, "zarr.json")) || File.Exists(Path.Combine(path, ".zgroup")) || File.Exists(Path.Combine(path, ".zarray"));

    /// <summary>
    /// Refuses, before anything is written, a new node of <paramref name="requested"/> format in a store that holds a
    /// hierarchy of the other format (a store holding only the bare root group takes the first node's format).
    /// </summary>
    public static void RequireFormat(ZarrStore store, ZarrFormat requested, bool explicitFlag, string what)
    {
        if (store.HierarchyFormat() is not { } existing || existing == requested || IsBareRoot(store))
        {
            return;
        }

        string asked = Lower(requested);
        string have = Lower(existing);
        throw new InvalidOperationException(explicitFlag
            ? $"--format {asked}: store '{store.Name}' holds a Zarr {have} hierarchy and {what} would be Zarr {asked}; a store holds one format (zarr-python opens no mix): use --format {have}, or another store"
            : $"store '{store.Name}' holds a Zarr {have} hierarchy but {what} would be Zarr {asked} (the source's format); a store holds one format (zarr-python opens no mix): pass --format {have}, or use another store");
    }

    /// <summary>Refuses to replace an existing node unless <c>--overwrite</c> was given.</summary>
    public static void RequireAbsent(ZarrStore store, string path, bool overwrite)
    {
        if (!overwrite && store.GetNodeKind(path) is { } kind)
        {
            throw new InvalidOperationException($"a{(kind == NodeKind.Array ? "n array" : " group")} already exists at '{path.Trim('/')}' in store '{store.Name}'; pass --overwrite to replace it");
        }
    }

    /// <summary>Parses <c>--dims a,b,c</c>: one name per dimension of the array.</summary>
    public static string?[]? ParseDims(string? text, int rank)
    {
        if (text is null)
        {
            return null;
        }

        var names = text.Split(',', StringSplitOptions.TrimEntries);
        if (names.Length != rank)
        {
            throw new UsageException($"--dims '{text}' gives {names.Length} name(s) but the array has {rank} dimension(s): give one name per dimension");
        }

        if (names.Any(n => n.Length == 0))
        {
            throw new UsageException($"--dims '{text}': a dimension name is empty");
        }

        return names;
    }

    private static bool IsBareRoot(ZarrStore store)
    {
        var nodes = store.ListNodes(string.Empty);
        return nodes.Count == 1 && nodes[0].Path.Length == 0 && nodes[0].Kind == NodeKind.Group && store.OpenGroup().Attributes.Count == 0;
    }

    private static string Lower(ZarrFormat format) => format == ZarrFormat.V2 ? "v2" : "v3";
}
