namespace ChunkCompute.Storage;

/// <summary>
/// Data given to a write (or a region asked of a read) does not fit: wrong shape, wrong element type, out of bounds.
/// </summary>
public sealed class ShapeMismatchException : ChunkComputeException
{
    /// <summary>Creates the exception with a message naming the array and both shapes.</summary>
    public ShapeMismatchException(string message)
        : base(message)
    {
    }
}
