# Benchmark cases, sourced by bench/run.sh.
#
# A case is: a name, a target ("-" for none), the peer's label, a ChunkCompute command, a peer command and, optionally,
# the metric the target applies to:
#   throughput   (default) ChunkCompute's median throughput / the peer's must be >= target
#   us_per_task  ChunkCompute's median microseconds per task must be <= target (the tools run different task counts)
#   rss_mib      ChunkCompute's largest peak RSS (MiB, /usr/bin/time -v) must be <= target
# Both commands must print one JSON line
#   {"case": NAME, "tool": ..., "seconds": <time of the operation only>, "bytes": <logical bytes>, "checksum": <float>}
# and run.sh checks that the two agree on bytes and (to 1e-6 relative) on the checksum (us_per_task: per tool only).
#
# Available to the commands: $CC (the C# runner), $PY (Debian's python3), $BENCH (this folder), $SIZE,
# $DATA (bench/data/<size>, made by gen_data.py). To add a case: add its data to gen_data.py's arrays(), a command
# to bench/Runner/, a peer script under bench/peers/, and one add_case line below.

add_case read_f64_blosc_lz4 1.5 zarr-python \
    "$CC read --store $DATA --array read_f64_blosc_lz4 --case read_f64_blosc_lz4" \
    "$PY $BENCH/peers/zarr_read.py --store $DATA --array read_f64_blosc_lz4 --case read_f64_blosc_lz4"

# Reductions of the stored 1-D float64 array that `read` uses, against dask.array.from_zarr(...).<op>().compute().
for op in mean sum std; do
    add_case "${op}_f64" 2 dask \
        "$CC reduce --store $DATA --array read_f64_blosc_lz4 --op $op --case ${op}_f64" \
        "$PY $BENCH/peers/dask_reduce.py --store $DATA --array read_f64_blosc_lz4 --op $op --case ${op}_f64"
done

# Means along each axis of a stored 2-D float32 array in 2048 x 2048 chunks (16 MiB).
for axis in 0 1; do
    add_case "mean_axis${axis}_f32" 2 dask \
        "$CC reduce --store $DATA --array grid_f32_blosc_lz4 --op mean --axis $axis --case mean_axis${axis}_f32" \
        "$PY $BENCH/peers/dask_reduce.py --store $DATA --array grid_f32_blosc_lz4 --op mean --axis $axis --case mean_axis${axis}_f32"
done

# An elementwise chain fused into a reduction: ((x - 1) * 2).std().
add_case chain_std_f64 2 dask \
    "$CC reduce --store $DATA --array read_f64_blosc_lz4 --op chain_std --case chain_std_f64" \
    "$PY $BENCH/peers/dask_reduce.py --store $DATA --array read_f64_blosc_lz4 --op chain_std --case chain_std_f64"

# Sum of an in-memory chunked array (8 MiB chunks) against TensorPrimitives.Sum over the same contiguous array, both
# timed in the same process (best of 5 each); the peer run reports the TensorPrimitives time. NumPy informational.
case "$SIZE" in tiny) INMEM_MIB=8 ;; *) INMEM_MIB=512 ;; esac
add_case sum_inmemory 0.8 tensorprimitives \
    "$CC sum-inmemory --mib $INMEM_MIB --report chunkcompute --case sum_inmemory" \
    "$CC sum-inmemory --mib $INMEM_MIB --report tensorprimitives --case sum_inmemory"
add_case sum_inmemory_numpy - numpy \
    "$CC sum-inmemory --mib $INMEM_MIB --report chunkcompute --case sum_inmemory_numpy" \
    "$PY $BENCH/peers/numpy_sum.py --mib $INMEM_MIB --case sum_inmemory_numpy"

# Per-task overhead: one-element chunks computed end to end. Dask runs fewer tasks (it is too slow at 1M).
case "$SIZE" in tiny) CC_TASKS=20000; DASK_TASKS=2000 ;; *) CC_TASKS=1000000; DASK_TASKS=20000 ;; esac
add_case tasks 5 dask \
    "$CC tasks --count $CC_TASKS --case tasks" \
    "$PY $BENCH/peers/dask_tasks.py --count $DASK_TASKS --case tasks" \
    us_per_task

# Peak RSS of std over a large stored array under a 256 MiB budget (target: budget + 100 MiB). Dask informational.
add_case rss_std_budget $((256 + 100)) dask \
    "$CC reduce --store $DATA --array big_f64_blosc_lz4 --op std --budget $((256 << 20)) --case rss_std_budget" \
    "$PY $BENCH/peers/dask_reduce.py --store $DATA --array big_f64_blosc_lz4 --op std --case rss_std_budget" \
    rss_mib
