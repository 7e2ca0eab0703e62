namespace ChunkCompute.Storage.Stores;

/// <summary>One page of a prefix listing (<see cref="IStore.ListPageAsync"/>).</summary>
/// <param name="Keys">The page's keys, in ordinal order.</param>
/// <param name="ContinuationToken">What to pass for the next page; null when this is the last one.</param>
public sealed record StoreListPage(IReadOnlyList<string> Keys, string? ContinuationToken);
