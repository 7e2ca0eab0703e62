using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage;

public sealed partial class ZarrStore
{
    private ZarrFormat? DetectFormat(string path) => Describe(path)?.Format;

    /// <summary>
    /// The format of the hierarchy: its root group's, or (a store without a root group) that of the first node found
    /// below the root; null for an empty store. A hierarchy holds one format: zarr-python opens neither a v2 array under
    /// a v3 root nor the reverse.
    /// </summary>
    public ZarrFormat? HierarchyFormat()
    {
        if (Describe(string.Empty) is { } root)
        {
            return root.Format;
        }

        var pending = new Stack<string>();
        pending.Push(string.Empty);
        while (pending.Count > 0)
        {
            string path = pending.Pop();
            foreach (var name in Store.ListDirectory(path).Order(StringComparer.Ordinal).Reverse())
            {
                if (name.StartsWith('.') || name == "zarr.json")
                {
                    continue;
                }

                string child = StoreKeys.Join(path, name);
                if (Describe(child) is { } node)
                {
                    return node.Format;
                }

                pending.Push(child);
            }
        }

        return null;
    }

    // The format of a new node: the hierarchy's (a requested other one is refused), else the requested or the default.
    private ZarrFormat FormatFor(string path, string what, ZarrFormat? requested)
    {
        var hierarchy = HierarchyFormat();
        if (hierarchy is not { } existing)
        {
            return requested ?? Options.DefaultFormat;
        }

        if (requested is { } asked && asked != existing)
        {
            if (path.Length > 0 && IsBareRoot())
            {
                // A store holding only the empty root group that opening it made: the root takes the format of the first
                // node created in it (so `Open(new) + CreateArray(Format = V2)` makes a plain v2 hierarchy).
                Delete(string.Empty);
                WriteGroupMetadata(string.Empty, asked, []);
                return asked;
            }

            throw new InvalidOperationException(
                $"cannot create {what} in Zarr {Lower(asked)} format at '{path}': store '{Name}' holds a Zarr {Lower(existing)} hierarchy, " +
                $"and a hierarchy that mixes formats is valid under neither spec (zarr-python cannot open it); create it as Zarr {Lower(existing)}, or in another store");
        }

        return existing;
    }

    // True when the store holds nothing but a root group without attributes.
    private bool IsBareRoot()
    {
        foreach (var name in Store.ListDirectory(string.Empty))
        {
            if (name is not ("zarr.json" or ".zgroup" or ".zattrs"))
            {
                return false;
            }
        }

        return OpenGroup().AttributesCore.Count == 0;
    }

    private static string Lower(ZarrFormat format) => format == ZarrFormat.V2 ? "v2" : "v3";
}
