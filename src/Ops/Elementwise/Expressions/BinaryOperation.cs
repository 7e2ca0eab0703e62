namespace ChunkCompute.Ops;

/// <summary>Arithmetic between two operands of one numeric type.</summary>
internal enum BinaryOperation
{
    /// <summary><c>a + b</c>, wrapping for integers.</summary>
    Add,

    /// <summary><c>a - b</c>, wrapping for integers.</summary>
    Subtract,

    /// <summary><c>a * b</c>, wrapping for integers.</summary>
    Multiply,

    /// <summary>True division for floats; NumPy floor division (<c>//</c>) for integers, 0 when dividing by 0.</summary>
    Divide,

    /// <summary>NumPy <c>remainder</c>: the sign of the divisor; 0 for integer division by 0, NaN for float.</summary>
    Remainder,

    /// <summary>NumPy <c>power</c> for floating point.</summary>
    Power,
}
