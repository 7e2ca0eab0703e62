namespace ChunkCompute.Ops;

/// <summary>An elementwise comparison producing booleans (IEEE semantics: any comparison with NaN is false except <c>!=</c>).</summary>
internal enum ComparisonOperation
{
    /// <summary><c>==</c>.</summary>
    Equal,

    /// <summary><c>!=</c>.</summary>
    NotEqual,

    /// <summary><c>&lt;</c>.</summary>
    Less,

    /// <summary><c>&lt;=</c>.</summary>
    LessOrEqual,

    /// <summary><c>&gt;</c>.</summary>
    Greater,

    /// <summary><c>&gt;=</c>.</summary>
    GreaterOrEqual,
}
