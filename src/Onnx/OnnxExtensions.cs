using ChunkCompute.Graph;
using ChunkCompute.Ops;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ChunkCompute.Onnx;

/// <summary>
/// Batched ONNX Runtime inference over the rows of a 2-D array (rows × features), Dask's
/// <c>map_blocks(model.predict)</c>: lazy, one task per chunk of rows, within the computation's memory budget.
/// </summary>
public static class OnnxExtensions
{
    /// <summary>The default rows per <c>Run</c> call.</summary>
    public const int DefaultBatchRows = 4096;

    /// <summary>
    /// Runs <paramref name="model"/> on the rows of <paramref name="x"/> (rows × features, float32), feeding
    /// <paramref name="inputName"/> with <paramref name="batchRows"/> rows at a time and keeping
    /// <paramref name="outputName"/>: a lazy rows × outputs float32 array with <paramref name="x"/>'s row chunks.
    /// </summary>
    /// <param name="x">The input rows; chunks split along the features are first rechunked so each chunk holds whole rows.</param>
    /// <param name="model">The model: <paramref name="inputName"/> is a float32 tensor [batch, features] with a dynamic batch dimension; <paramref name="outputName"/> a float32 tensor [batch, outputs] with a fixed number of outputs.</param>
    /// <param name="inputName">The model input fed with the rows.</param>
    /// <param name="outputName">The model output returned.</param>
    /// <param name="batchRows">Rows per <c>Run</c> call (the last batch of a chunk may be shorter).</param>
    /// <returns>The lazy output. The model must not be disposed before it is computed.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="x"/> is not 2-D; the model has no such input or output, another input it needs is not fed,
    /// the element types differ, or the shapes do not fit (a fixed batch dimension, a feature count other than
    /// <paramref name="x"/>'s, a dynamic or missing output width): the message names the model's inputs and outputs
    /// with their shapes.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchRows"/> is not positive.</exception>
    /// <remarks>
    /// Memory counted in the plan for every task: the input and output chunks (as for any node), plus, as memory the
    /// task holds, the session's resident state (<see cref="OnnxModel.SessionBytes"/>: shared by the tasks, so counted
    /// once per task in flight, an over-estimate by the number of cores) and one batch's intermediate tensors
    /// (<see cref="OnnxModel.WorkingBytesPerRow"/> × <paramref name="batchRows"/>). The batch tensors themselves are views
    /// of the chunks: nothing is copied. A model too large for the budget is refused when the plan is made.
    /// </remarks>
    public static ChunkedArray<float> Infer(this ChunkedArray<float> x, OnnxModel model, string inputName, string outputName, int batchRows = DefaultBatchRows) =>
        Infer<float>(x, model, inputName, outputName, batchRows, TensorElementType.Float);

    /// <summary>
    /// Runs a float64 model on the rows of <paramref name="x"/>, as
    /// <see cref="Infer(ChunkedArray{float}, OnnxModel, string, string, int)"/> does for float32.
    /// </summary>
    /// <param name="x">The input rows.</param>
    /// <param name="model">The model: float64 input [batch, features] and output [batch, outputs].</param>
    /// <param name="inputName">The model input fed with the rows.</param>
    /// <param name="outputName">The model output returned.</param>
    /// <param name="batchRows">Rows per <c>Run</c> call.</param>
    /// <returns>The lazy rows × outputs output.</returns>
    /// <exception cref="ArgumentException">As for float32.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchRows"/> is not positive.</exception>
    public static ChunkedArray<double> Infer(this ChunkedArray<double> x, OnnxModel model, string inputName, string outputName, int batchRows = DefaultBatchRows) =>
        Infer<double>(x, model, inputName, outputName, batchRows, TensorElementType.Double);

    private static ChunkedArray<T> Infer<T>(ChunkedArray<T> x, OnnxModel model, string inputName, string outputName, int batchRows, TensorElementType type)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputName);
        ArgumentNullException.ThrowIfNull(outputName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchRows);
        if (x.Rank != 2)
        {
            throw new ArgumentException($"ONNX inference takes a 2-D array of rows × features, not shape [{string.Join(", ", x.Shape)}]", nameof(x));
        }

        _ = model.Session; // disposed?
        long features = x.Shape[1];
        string Describe() => $"{model}";

        if (!model.Inputs.TryGetValue(inputName, out var inDims))
        {
            throw new ArgumentException($"{Describe()} has no input '{inputName}'", nameof(inputName));
        }

        if (!model.Outputs.TryGetValue(outputName, out var outDims))
        {
            throw new ArgumentException($"{Describe()} has no output '{outputName}'", nameof(outputName));
        }

        var others = model.Inputs.Keys.Where(k => k != inputName).ToList();
        if (others.Count > 0)
        {
            throw new ArgumentException($"{Describe()} also needs input(s) {string.Join(", ", others.Select(o => $"'{o}'"))}, which Infer does not feed: only models with a single input are supported", nameof(model));
        }

        if (model.ElementType(inputName, input: true) != type || model.ElementType(outputName, input: false) != type)
        {
            throw new ArgumentException($"{Describe()}: input '{inputName}' and output '{outputName}' must both be {type} tensors for a {typeof(T).Name} array", nameof(x));
        }

        if (inDims.Count != 2 || inDims[0] >= 0 || inDims[1] != features)
        {
            throw new ArgumentException(
                $"{Describe()}: input '{inputName}' [{string.Join(", ", inDims)}] must be [batch, {features}] with a dynamic batch dimension (-1) and the array's {features} features per row",
                nameof(x));
        }

        if (outDims.Count != 2 || outDims[0] >= 0 || outDims[1] <= 0)
        {
            throw new ArgumentException(
                $"{Describe()}: output '{outputName}' [{string.Join(", ", outDims)}] must be [batch, outputs] with a dynamic batch dimension (-1) and a fixed number of outputs",
                nameof(outputName));
        }

        int width = checked((int)outDims[1]);
        var rows = x.Rechunk(ChunkGrid.FromSizes([x.Chunks.Sizes(0), [checked((int)features)]]));
        var grid = ChunkGrid.FromSizes([x.Chunks.Sizes(0), [width]]);
        return new ChunkedArray<T>(new OnnxInferenceNode<T>(rows.Node, grid, model, inputName, outputName, batchRows, type));
    }
}
