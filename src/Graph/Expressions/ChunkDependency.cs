namespace ChunkCompute.Graph;

/// <summary>An input chunk a task needs: input number <see cref="Input"/> of the node, at <see cref="ChunkIndex"/>.</summary>
/// <param name="Input">The index into <see cref="ArrayNode.Inputs"/>.</param>
/// <param name="ChunkIndex">The chunk index in that input's grid.</param>
public readonly record struct ChunkDependency(int Input, long[] ChunkIndex);
