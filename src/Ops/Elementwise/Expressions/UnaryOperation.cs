namespace ChunkCompute.Ops;

/// <summary>An elementwise function of one operand.</summary>
internal enum UnaryOperation
{
    /// <summary><c>-x</c>, wrapping for integers (−MinValue is MinValue).</summary>
    Negate,

    /// <summary>|x|, wrapping for integers (|MinValue| is MinValue, as NumPy).</summary>
    Abs,

    /// <summary>√x (NaN below 0).</summary>
    Sqrt,

    /// <summary>eˣ.</summary>
    Exp,

    /// <summary>ln x (−inf at 0, NaN below).</summary>
    Log,

    /// <summary>sin x.</summary>
    Sin,

    /// <summary>cos x.</summary>
    Cos,

    /// <summary>tanh x.</summary>
    Tanh,

    /// <summary>⌊x⌋.</summary>
    Floor,

    /// <summary>⌈x⌉.</summary>
    Ceiling,

    /// <summary>Nearest integer, halves to even (NumPy <c>round</c>/<c>rint</c>).</summary>
    Round,
}
