using Xunit;

namespace ChunkCompute.Tests.TestSupport;

/// <summary>
/// Test classes that set process environment variables (<c>AWS_*</c>, <c>AZURE_STORAGE_*</c>) for the CLI they run: one
/// collection, so that no two of them run at once and one's restore cannot pull a variable from under another's run.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ProcessEnvironmentCollection
{
    /// <summary>The collection's name, for <c>[Collection(ProcessEnvironmentCollection.Name)]</c>.</summary>
    public const string Name = "process environment";
}
