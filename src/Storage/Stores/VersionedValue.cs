namespace ChunkCompute.Storage.Stores;

/// <summary>A value read together with its version (<see cref="IStore.GetVersioned"/>), for a compare-and-swap.</summary>
/// <param name="Value">The whole value.</param>
/// <param name="Version">
/// An opaque tag that changes whenever the value is written (an ETag on an object store); pass it to
/// <see cref="IStore.SetIfVersion"/>.
/// </param>
public sealed record VersionedValue(ReadOnlyMemory<byte> Value, string Version);
