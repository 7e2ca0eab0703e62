using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ChunkCompute.Scheduler;

namespace ChunkCompute.ML;

/// <summary>
/// The batching engine shared by every stream: a background producer reads row blocks through the engine (one lazy
/// row slice per block, all lanes computed together) into a bounded read-ahead; the consumer copies rows, through the
/// shuffle buffer when shuffling, into pooled batch buffers.
/// </summary>
internal sealed class RowBatcher
{
    private readonly Lane[] _lanes;
    private readonly long[] _blockStarts;
    private readonly int _batchSize;
    private readonly BatchOptions _options;
    private readonly int _shuffleRows;
    private readonly long _engineBudget;
    private readonly long _leaseBytes;
    private int _blocksRead;

    public RowBatcher(Lane[] lanes, int batchSize, BatchOptions? options)
    {
        options ??= new BatchOptions();
        if (batchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batch size must be at least 1, not {batchSize}");
        }

        if (options.Prefetch < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Prefetch, $"BatchOptions.Prefetch must be 0 or more, not {options.Prefetch}");
        }

        if (options.ShuffleBufferRows is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ShuffleBufferRows, $"BatchOptions.ShuffleBufferRows must be 0 or more, not {options.ShuffleBufferRows}");
        }

        if (options.MaxDegreeOfParallelism < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxDegreeOfParallelism, "BatchOptions.MaxDegreeOfParallelism must be at least 1");
        }

        _lanes = lanes;
        _batchSize = batchSize;
        _options = options;
        long rows = lanes[0].Rows;
        if (options.Rows is { } selection && selection.RowCount != rows)
        {
            throw new ArgumentException($"BatchOptions.Rows was made for {selection.RowCount} rows but the array has {rows}", nameof(options));
        }

        var grid = lanes[0].Node.Grid;
        _blockStarts = new long[grid.Sizes(0).Count + 1];
        for (int i = 0; i < grid.Sizes(0).Count; i++)
        {
            _blockStarts[i + 1] = _blockStarts[i] + grid.Sizes(0)[i];
        }

        RowBytes = lanes.Sum(l => l.RowBytes);
        MaxBlockRows = grid.Sizes(0).Max();
        RowCount = options.Rows?.Count ?? rows;
        _shuffleRows = options.Shuffle is null ? 0 : (int)Math.Min(options.ShuffleBufferRows ?? Math.Min(int.MaxValue, 2L * MaxBlockRows), RowCount);
        BatchCount = options.DropLast ? RowCount / batchSize : (RowCount + batchSize - 1) / batchSize;

        long blocks = (options.Prefetch + 1L) * MaxBlockRows * RowBytes;
        long shuffle = _shuffleRows * (RowBytes + sizeof(long));
        long batches = 2L * batchSize * (RowBytes + sizeof(long));
        BufferBoundBytes = blocks + shuffle + batches;
        long budget = options.SharedMemory?.Budget ?? options.MemoryBudget;
        string budgetName = options.SharedMemory is null ? "BatchOptions.MemoryBudget" : "the budget of BatchOptions.SharedMemory";
        if (BufferBoundBytes >= budget)
        {
            throw new ArgumentException(
                $"batching needs {BufferBoundBytes:N0} bytes — {options.Prefetch + 1} row blocks of up to {MaxBlockRows:N0} rows ({blocks:N0}), " +
                $"a shuffle buffer of {_shuffleRows:N0} rows ({shuffle:N0}) and 2 batches of {batchSize:N0} rows ({batches:N0}) at {RowBytes:N0} bytes per row — " +
                $"which does not fit {budgetName} = {budget:N0}: lower Prefetch, ShuffleBufferRows or the batch size, rechunk axis 0 smaller, or raise the budget",
                nameof(options));
        }

        long perRead = (budget - BufferBoundBytes) / (options.Prefetch + 1);
        long storeScratch = lanes.Sum(l => l.StoredReadScratchBytes);
        if (storeScratch > perRead)
        {
            throw new ArgumentException(
                $"batching leaves {perRead:N0} bytes of {budgetName} = {budget:N0} to each of {options.Prefetch + 1} concurrent block reads, " +
                $"but decoding the stored chunks of one block can take {storeScratch:N0}: lower Prefetch or raise the budget",
                nameof(options));
        }

        _engineBudget = perRead - storeScratch;
        _leaseBytes = BufferBoundBytes + ((options.Prefetch + 1L) * storeScratch);
    }

    public long RowCount { get; }

    public long BatchCount { get; }

    public long RowBytes { get; }

    public int MaxBlockRows { get; }

    public long BufferBoundBytes { get; }

    public BatchMemory Memory { get; } = new();

    public int BlocksRead => Volatile.Read(ref _blocksRead);

    public async IAsyncEnumerable<IDisposable[]> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        int blockCount = _blockStarts.Length - 1;
        var order = Enumerable.Range(0, blockCount).ToArray();
        var rng = default(SplitMix64);
        if (_options.Shuffle is int seed)
        {
            var orderRng = new SplitMix64(SplitMix64.Seed(seed, _options.Epoch, 1));
            for (int i = blockCount - 1; i > 0; i--)
            {
                int j = (int)orderRng.NextBelow(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }

            rng = new SplitMix64(SplitMix64.Seed(seed, _options.Epoch, 2));
        }

        // Under a shared budget the stream holds its buffers (and stored reads' decode scratch) for the whole epoch;
        // block reads through the engine reserve their projected peak from it while they run.
        using var lease = _options.SharedMemory?.Lease(_leaseBytes, "batch stream buffers");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var permits = new SemaphoreSlim(_options.Prefetch + 1);
        var channel = Channel.CreateUnbounded<Task<Block>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(() => ProduceAsync(order, channel.Writer, permits, cts.Token), CancellationToken.None);
        ShuffleBuffer? buffer = _shuffleRows > 0 ? new ShuffleBuffer(_lanes, _shuffleRows, Memory) : null;
        Builder? builder = null;
        long number = 0;
        var selection = _options.Rows;
        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!channel.Reader.TryRead(out var pending))
                {
                    continue;
                }

                var block = await pending.ConfigureAwait(false);
                try
                {
                    int r = 0;
                    while (r < block.Rows)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        builder ??= new Builder(_lanes, _batchSize, Memory);
                        if (buffer is null && selection is null)
                        {
                            // In order: copy a run of rows at once.
                            int run = Math.Min(block.Rows - r, _batchSize - builder.Count);
                            builder.Add(block.Data, r, block.Start + r, run);
                            r += run;
                        }
                        else
                        {
                            long global = block.Start + r;
                            if (selection is not null && !selection.Contains(global))
                            {
                                r++;
                                continue;
                            }

                            if (buffer is null)
                            {
                                builder.Add(block.Data, r, global, 1);
                            }
                            else if (buffer.Count < buffer.Capacity)
                            {
                                buffer.Put(buffer.Count, block.Data, r, global);
                                buffer.Count++;
                                r++;
                                continue;
                            }
                            else
                            {
                                int slot = (int)rng.NextBelow(buffer.Capacity);
                                buffer.TakeInto(builder, slot);
                                buffer.Put(slot, block.Data, r, global);
                            }

                            r++;
                        }

                        if (builder.Count == _batchSize)
                        {
                            var done = builder.Finish(number++);
                            builder = null;
                            yield return done;
                        }
                    }
                }
                finally
                {
                    Release(block);
                    permits.Release();
                }
            }

            await producer.ConfigureAwait(false); // surfaces a read failure that ended the stream

            // Drain the shuffle buffer in random order.
            while (buffer is not null && buffer.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                builder ??= new Builder(_lanes, _batchSize, Memory);
                int slot = (int)rng.NextBelow(buffer.Count);
                buffer.TakeInto(builder, slot);
                buffer.Move(buffer.Count - 1, slot);
                buffer.Count--;
                if (builder.Count == _batchSize)
                {
                    var done = builder.Finish(number++);
                    builder = null;
                    yield return done;
                }
            }

            if (builder is { Count: > 0 } && !_options.DropLast)
            {
                var done = builder.Finish(number++);
                builder = null;
                yield return done;
            }
        }
        finally
        {
            await cts.CancelAsync().ConfigureAwait(false);
            try
            {
                await producer.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Cancelled or failed: the consumer has already seen (or abandoned) the failure.
            }

            while (channel.Reader.TryRead(out var left))
            {
                try
                {
                    Release(await left.ConfigureAwait(false));
                }
                catch (Exception)
                {
                    // A read that failed or was cancelled released its own reservation.
                }
            }

            builder?.Abandon();
            buffer?.Dispose();
        }
    }

    private async Task ProduceAsync(int[] order, ChannelWriter<Task<Block>> writer, SemaphoreSlim permits, CancellationToken cancellationToken)
    {
        try
        {
            foreach (int b in order)
            {
                long start = _blockStarts[b];
                int rows = (int)(_blockStarts[b + 1] - start);
                if (rows == 0 || (_options.Rows is { } sel && !AnySelected(sel, start, rows)))
                {
                    continue;
                }

                await permits.WaitAsync(cancellationToken).ConfigureAwait(false);
                long bytes = rows * RowBytes;
                Memory.Add(bytes);
                var read = ReadAsync(start, rows, bytes, cancellationToken);
                writer.TryWrite(read);
            }

            writer.TryComplete();
        }
        catch (Exception ex)
        {
            writer.TryComplete(ex);
        }
    }

    private static bool AnySelected(RowSelection selection, long start, int rows)
    {
        for (long r = start; r < start + rows; r++)
        {
            if (selection.Contains(r))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Reads one row block of every lane: stored arrays straight from the store into pooled buffers (the chunks
    /// touched are decoded once, in parallel by the store), any other expression through the engine as a lazy row
    /// slice (all such lanes in one computation, under the per-read budget).
    /// </summary>
    private async Task<Block> ReadAsync(long start, int rows, long bytes, CancellationToken cancellationToken)
    {
        var data = new Array[_lanes.Length];
        var pooled = new bool[_lanes.Length];
        try
        {
            var computed = Enumerable.Range(0, _lanes.Length).Where(i => !_lanes[i].IsStored).ToArray();
            Task<IReadOnlyList<object>>? engine = null;
            if (computed.Length > 0)
            {
                var nodes = computed.Select(i => _lanes[i].SliceRows(start, start + rows)).ToArray();
                var options = new ComputeOptions { MemoryBudget = _engineBudget, MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism, SharedMemory = _options.SharedMemory };
                engine = Computation.ComputeAsync(nodes, options, cancellationToken);
            }

            for (int i = 0; i < _lanes.Length; i++)
            {
                if (_lanes[i].IsStored)
                {
                    var lane = _lanes[i];
                    data[i] = await Task.Run(() => lane.ReadStored(start, rows, cancellationToken), cancellationToken).ConfigureAwait(false);
                    pooled[i] = true;
                }
            }

            if (engine is not null)
            {
                var results = await engine.ConfigureAwait(false);
                for (int k = 0; k < computed.Length; k++)
                {
                    var (array, enginePeak) = _lanes[computed[k]].Unwrap(results[k]);
                    data[computed[k]] = array;
                    Memory.ObserveEngine(enginePeak);
                }
            }

            Interlocked.Increment(ref _blocksRead);
            return new Block(start, rows, data, pooled, bytes);
        }
        catch
        {
            ReturnPooled(data, pooled);
            Memory.Remove(bytes);
            throw;
        }
    }

    private void ReturnPooled(Array[] data, bool[] pooled)
    {
        for (int i = 0; i < data.Length; i++)
        {
            if (pooled[i] && data[i] is not null)
            {
                _lanes[i].Return(data[i]);
            }
        }
    }

    private void Release(Block block)
    {
        ReturnPooled(block.Data, block.Pooled);
        Memory.Remove(block.Bytes);
    }

    private sealed record Block(long Start, int Rows, Array[] Data, bool[] Pooled, long Bytes);

    /// <summary>The batch being filled: one pooled buffer per lane plus the row indices.</summary>
    private sealed class Builder
    {
        private readonly Lane[] _lanes;
        private readonly Array[] _data;
        private readonly long[] _rows;
        private readonly BatchMemory _memory;
        private readonly long[] _bytes;

        public Builder(Lane[] lanes, int batchSize, BatchMemory memory)
        {
            _lanes = lanes;
            _memory = memory;
            _data = lanes.Select(l => l.Rent(batchSize)).ToArray();
            _rows = new long[batchSize];
            _bytes = lanes.Select(l => batchSize * l.RowBytes).ToArray();
            _bytes[0] += batchSize * sizeof(long);
            memory.Add(_bytes.Sum());
        }

        public int Count { get; private set; }

        public void Add(Array[] source, int sourceRow, long globalRow, int rows)
        {
            for (int i = 0; i < _lanes.Length; i++)
            {
                _lanes[i].Copy(source[i], sourceRow, _data[i], Count, rows);
            }

            for (int k = 0; k < rows; k++)
            {
                _rows[Count + k] = globalRow + k;
            }

            Count += rows;
        }

        public void AddRow(Array[] source, int sourceRow, long globalRow) => Add(source, sourceRow, globalRow, 1);

        public IDisposable[] Finish(long number)
        {
            var batches = new IDisposable[_lanes.Length];
            for (int i = 0; i < _lanes.Length; i++)
            {
                long bytes = _bytes[i];
                batches[i] = _lanes[i].Wrap(_data[i], Count, _rows, number, () => _memory.Remove(bytes));
            }

            return batches;
        }

        public void Abandon()
        {
            for (int i = 0; i < _lanes.Length; i++)
            {
                _lanes[i].Return(_data[i]);
            }

            _memory.Remove(_bytes.Sum());
        }
    }

    /// <summary>tf.data's shuffle buffer: a fixed number of row slots per lane.</summary>
    private sealed class ShuffleBuffer : IDisposable
    {
        private readonly Lane[] _lanes;
        private readonly Array[] _data;
        private readonly long[] _rows;
        private readonly BatchMemory _memory;
        private readonly long _bytes;

        public ShuffleBuffer(Lane[] lanes, int capacity, BatchMemory memory)
        {
            _lanes = lanes;
            _memory = memory;
            Capacity = capacity;
            _data = lanes.Select(l => l.Allocate(capacity)).ToArray();
            _rows = new long[capacity];
            _bytes = capacity * (lanes.Sum(l => l.RowBytes) + sizeof(long));
            memory.Add(_bytes);
        }

        public int Capacity { get; }

        public int Count { get; set; }

        public void Put(int slot, Array[] source, int sourceRow, long globalRow)
        {
            for (int i = 0; i < _lanes.Length; i++)
            {
                _lanes[i].Copy(source[i], sourceRow, _data[i], slot, 1);
            }

            _rows[slot] = globalRow;
        }

        public void TakeInto(Builder builder, int slot)
        {
            builder.AddRow(_data, slot, _rows[slot]);
        }

        public void Move(int from, int to)
        {
            if (from == to)
            {
                return;
            }

            for (int i = 0; i < _lanes.Length; i++)
            {
                _lanes[i].Copy(_data[i], from, _data[i], to, 1);
            }

            _rows[to] = _rows[from];
        }

        public void Dispose() => _memory.Remove(_bytes);
    }
}
