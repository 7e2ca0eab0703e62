namespace ChunkCompute.Storage.Npy;

/// <summary>A header value kept as source text because it is not interpreted (a list, i.e. a structured descr).</summary>
internal sealed record NpyRawValue(string Text);
