using ChunkCompute.Graph;
using ChunkCompute.Storage;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ChunkCompute.Onnx;

/// <summary>
/// Runs an ONNX model on the rows of one chunk (whole rows: all the features) in batches, the batch tensors being
/// views of the input and output chunks; the session is the model's, shared by all tasks.
/// </summary>
internal sealed unsafe class OnnxInferenceNode<T> : ArrayNode
    where T : unmanaged
{
    private readonly OnnxModel _model;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly int _batchRows;
    private readonly TensorElementType _type;
    private readonly int _features;
    private readonly int _width;

    public OnnxInferenceNode(ArrayNode rows, ChunkGrid grid, OnnxModel model, string inputName, string outputName, int batchRows, TensorElementType type)
        : base(DataType.Of<T>(), grid, [rows])
    {
        _model = model;
        _inputNames = [inputName];
        _outputNames = [outputName];
        _batchRows = batchRows;
        _type = type;
        _features = checked((int)rows.Grid.Shape[1]);
        _width = checked((int)grid.Shape[1]);
    }

    public override string Label => "onnx-infer";

    /// <summary>The session's resident state and one batch's intermediate tensors (see <c>OnnxExtensions.Infer</c>).</summary>
    public override long HeldBytes(ReadOnlySpan<long> chunkIndex)
    {
        long perRow = _model.WorkingBytesPerRow ?? 4L * (_features + _width) * sizeof(T);
        return _model.SessionBytes + (perRow * Math.Min(_batchRows, Grid.Size(0, chunkIndex[0])));
    }

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        dependencies.Add(new ChunkDependency(0, [chunkIndex[0], 0]));
    }

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var token = context.CancellationToken;
        token.ThrowIfCancellationRequested();
        var session = _model.Session;
        int rows = context.Output.Shape[0];
        var input = (T*)context.Inputs[0].Pointer;
        var output = (T*)context.Output.Pointer;
        using var runOptions = new RunOptions();
        using var stop = token.Register(static o => ((RunOptions)o!).Terminate = true, runOptions);
        var memory = OrtMemoryInfo.DefaultInstance;
        for (int start = 0; start < rows; start += _batchRows)
        {
            token.ThrowIfCancellationRequested();
            int n = Math.Min(_batchRows, rows - start);
            using var x = OrtValue.CreateTensorValueWithData(memory, _type, [n, _features], (nint)(input + ((long)start * _features)), (long)n * _features * sizeof(T));
            using var y = OrtValue.CreateTensorValueWithData(memory, _type, [n, _width], (nint)(output + ((long)start * _width)), (long)n * _width * sizeof(T));
            try
            {
                session.Run(runOptions, _inputNames, [x], _outputNames, [y]);
            }
            catch (OnnxRuntimeException) when (token.IsCancellationRequested)
            {
                throw new OperationCanceledException(token);
            }
        }
    }
}
