using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ChunkCompute.Onnx;

/// <summary>
/// An ONNX model loaded into one ONNX Runtime <c>InferenceSession</c> for <see cref="OnnxExtensions"/>: the session
/// is shared by all the tasks of a computation (its <c>Run</c> is thread-safe) and lives until the model is disposed.
/// </summary>
/// <remarks>
/// <para><b>Threads.</b> The session runs each call on the calling thread: <c>IntraOpNumThreads = 1</c>,
/// <c>InterOpNumThreads = 1</c>, sequential execution. The engine already runs one task per core
/// (<c>ComputeOptions.MaxDegreeOfParallelism</c>), each task inferring its own chunk of rows, so ORT's own thread
/// pools would only oversubscribe the cores (cores × ORT threads busy threads) and add their spin-waiting.</para>
/// <para><b>Memory.</b> The CPU memory arena is off, so what a call allocates for its intermediate tensors is given
/// back when the call returns; see <see cref="SessionBytes"/> and <see cref="WorkingBytesPerRow"/> for what the
/// plan counts.</para>
/// </remarks>
public sealed class OnnxModel : IDisposable
{
    private readonly InferenceSession _session;

    /// <summary>Loads the model in the file <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">The file is not a valid ONNX model (ONNX Runtime's error inside).</exception>
    public OnnxModel(string path)
        : this(File.ReadAllBytes(path ?? throw new ArgumentNullException(nameof(path))), Path.GetFileName(path))
    {
    }

    /// <summary>Loads a model from its serialized bytes; <paramref name="name"/> names it in errors and plans.</summary>
    /// <exception cref="ArgumentException">The bytes are not a valid ONNX model (ONNX Runtime's error inside).</exception>
    public OnnxModel(byte[] model, string name)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        ModelBytes = model.Length;
        using var options = CreateSessionOptions();
        try
        {
            _session = new InferenceSession(model, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ArgumentException($"ONNX model '{name}' cannot be loaded: {e.Message}", nameof(model), e);
        }

        Inputs = Describe(_session.InputMetadata);
        Outputs = Describe(_session.OutputMetadata);
    }

    /// <summary>The model's name (its file name when loaded from a file).</summary>
    public string Name { get; }

    /// <summary>The size of the serialized model.</summary>
    public long ModelBytes { get; }

    /// <summary>
    /// The bytes the plan counts for the session's resident state: twice <see cref="ModelBytes"/> (the initializers
    /// ONNX Runtime keeps, plus the pre-packed copies of weights some CPU kernels make).
    /// </summary>
    public long SessionBytes => 2 * ModelBytes;

    /// <summary>
    /// Bytes of intermediate tensors ONNX Runtime allocates per row of a batch, counted against the budget for every
    /// batch in flight. Default (null): 4 × (input width + output width) elements per row, right for small
    /// feed-forward models; set it for a model whose hidden layers are wider than its input and output.
    /// </summary>
    public long? WorkingBytesPerRow { get; init; }

    /// <summary>The model's inputs: name → dimensions (-1 for a dynamic dimension).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<long>> Inputs { get; }

    /// <summary>The model's outputs: name → dimensions (-1 for a dynamic dimension).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<long>> Outputs { get; }

    internal InferenceSession Session
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _session;
        }
    }

    private bool _disposed;

    /// <summary>Releases the session (a computation still running on it fails).</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _session.Dispose();
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"ONNX model '{Name}' (inputs {Format(_session.InputMetadata)}; outputs {Format(_session.OutputMetadata)})";

    /// <summary>The element type of an input or output, or null when it is not a tensor.</summary>
    internal TensorElementType? ElementType(string name, bool input)
    {
        var metadata = input ? _session.InputMetadata : _session.OutputMetadata;
        return metadata.TryGetValue(name, out var m) && m.IsTensor ? m.ElementDataType : null;
    }

    /// <summary>All inputs or outputs with their element types and dimensions, for errors.</summary>
    internal string Format(bool input) => Format(input ? _session.InputMetadata : _session.OutputMetadata);

    private static string Format(IReadOnlyDictionary<string, NodeMetadata> metadata) =>
        string.Join(", ", metadata.Select(kv => kv.Value.IsTensor
            ? string.Create(CultureInfo.InvariantCulture, $"'{kv.Key}' {kv.Value.ElementDataType} [{string.Join(", ", kv.Value.Dimensions.Select((d, i) => d >= 0 ? d.ToString(CultureInfo.InvariantCulture) : kv.Value.SymbolicDimensions is { } s && i < s.Length && !string.IsNullOrEmpty(s[i]) ? s[i] : "?"))}]")
            : $"'{kv.Key}' {kv.Value.OnnxValueType}"));

    private static Dictionary<string, IReadOnlyList<long>> Describe(IReadOnlyDictionary<string, NodeMetadata> metadata) =>
        metadata.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<long>)(kv.Value.IsTensor ? kv.Value.Dimensions.Select(d => d >= 0 ? (long)d : -1L).ToArray() : []));

    private static SessionOptions CreateSessionOptions()
    {
        var options = new SessionOptions
        {
            // One thread per call: the engine's tasks are the parallelism (see the remarks).
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,

            // Intermediate tensors freed after each call instead of kept growing in an arena outside the budget.
            EnableCpuMemArena = false,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        return options;
    }
}
