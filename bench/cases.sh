# Benchmark cases, sourced by bench/run.sh.
#
# A case is: a name, a target ("-" for none), the peer's label, a ChunkCompute command, a peer command and, optionally,
# the metric the target applies to, a second target: ChunkCompute's largest peak RSS in MiB (a maximum) ("-" for none),
# and a folder whose files are evicted from the page cache before every run (a cold case; see coldcache.py):
#   throughput   (default) ChunkCompute's median throughput / the peer's must be >= target
#   us_per_task  ChunkCompute's median microseconds per task must be <= target (the tools run different task counts)
#   rss_mib      ChunkCompute's largest peak RSS (MiB, /usr/bin/time -v) must be <= target
# Both commands must print one JSON line
#   {"case": NAME, "tool": ..., "seconds": <time of the operation only>, "bytes": <logical bytes>, "checksum": <float>}
# and run.sh checks that the two agree on bytes and (to 1e-6 relative) on the checksum (us_per_task: per tool only).
# `floor_of CASE ARRAY [blocks|whole]` after a read-bound case's add_case line measures the case's floor in the same run
# (issue 21): `ChunkCompute.Bench floor-run`, the page-cache copy of ARRAY's chunk files plus their Blosc decode by the
# library's BloscCodec, on every core, no reduction, as the engine reads them: `blocks` (default) block by block and
# decoded in cache-sized pieces, as the piece reader of reductions and chains does; `whole` whole files decoded whole,
# as ZarrArray.Read does. The report gives ChunkCompute / floor (target <= 1.25x).
# `checksum_tolerance CASE REL` after a case's add_case line checks that case's checksums to REL relative instead; only
# for a peer that cannot compute the same value (an approximate algorithm), with a comment saying why and how far apart
# the tools were measured.
#
# Available to the commands: $CC (the C# runner), $PY (Debian's python3), $BENCH (this folder), $SIZE,
# $DATA (bench/data/<size>, made by gen_data.py; bench/data/huge-<N>gib for HUGE_GIB=N at --size huge). To add a case:
# add its data to gen_data.py's arrays(), a command to bench/Runner/, a peer script under bench/peers/, and one add_case
# line below.

# Larger than RAM (--size huge only, and then the only case; never run by CI): std of a 32 GiB 1-D float64 array
# (HUGE_GIB to test the plumbing at another size) with a 1 GiB memory budget, against Dask's threaded
# da.from_zarr(...).std().compute(). The 8th field makes it a cold case: run.sh evicts the array's files from the page
# cache before every run and measures the disk's sequential read rate on them before and after the case. Second
# target: ChunkCompute's peak RSS <= budget + 100 MiB. Throughput informational (the report compares it to the disk).
if [[ $SIZE == huge ]]; then
    HUGE_BUDGET=$((1 << 30))
    add_case huge_std - dask \
        "$CC reduce --store $DATA --array huge_f64_blosc_lz4 --op std --budget $HUGE_BUDGET --case huge_std" \
        "$PY $BENCH/peers/dask_reduce.py --store $DATA --array huge_f64_blosc_lz4 --op std --case huge_std" \
        throughput $(( (HUGE_BUDGET >> 20) + 100 )) "$DATA/huge_f64_blosc_lz4"
    return 0
fi

add_case read_f64_blosc_lz4 1.5 zarr-python \
    "$CC read --store $DATA --array read_f64_blosc_lz4 --case read_f64_blosc_lz4" \
    "$PY $BENCH/peers/zarr_read.py --store $DATA --array read_f64_blosc_lz4 --case read_f64_blosc_lz4"
floor_of read_f64_blosc_lz4 read_f64_blosc_lz4 whole

# Reductions of the stored 1-D float64 array that `read` uses, against dask.array.from_zarr(...).<op>().compute().
for op in mean sum std; do
    add_case "${op}_f64" 2 dask \
        "$CC reduce --store $DATA --array read_f64_blosc_lz4 --op $op --case ${op}_f64" \
        "$PY $BENCH/peers/dask_reduce.py --store $DATA --array read_f64_blosc_lz4 --op $op --case ${op}_f64"
    floor_of "${op}_f64" read_f64_blosc_lz4
done

# Issue 22: what the live dashboard costs. The mean of the same stored float64 Blosc-LZ4 array with a ComputeDashboard
# observing every task (Kestrel on 127.0.0.1, started before the clock, no browser attached) against the same mean
# without one; the dashboard's throughput must be at least 0.97 of the plain run's (at most 3 % slower).
add_case mean_f64_dashboard 0.97 no-dashboard \
    "$CC reduce --store $DATA --array read_f64_blosc_lz4 --op mean --dashboard on --case mean_f64_dashboard" \
    "$CC reduce --store $DATA --array read_f64_blosc_lz4 --op mean --case mean_f64_dashboard"

# Means along each axis of a stored 2-D float32 array in 2048 x 2048 chunks (16 MiB).
for axis in 0 1; do
    add_case "mean_axis${axis}_f32" 2 dask \
        "$CC reduce --store $DATA --array grid_f32_blosc_lz4 --op mean --axis $axis --case mean_axis${axis}_f32" \
        "$PY $BENCH/peers/dask_reduce.py --store $DATA --array grid_f32_blosc_lz4 --op mean --axis $axis --case mean_axis${axis}_f32"
    floor_of "mean_axis${axis}_f32" grid_f32_blosc_lz4
done

# Issue 20's operations against Dask (bench/Runner/Ops.cs, bench/peers/dask_ops.py), each reduced to a checksum so the
# whole result is computed but not held, under the engine's default 1 GiB memory budget (the reduce cases' budget).
# Second target: ChunkCompute's peak RSS <= budget + 100 MiB.
OPS_BUDGET=$((1 << 30))
# Running sum along axis 0 of the stored 1-D float64 array: x.CumSum(0).Sum() against da.cumsum(x, axis=0).sum().
add_case cumsum_f64 2 dask \
    "$CC ops --store $DATA --array read_f64_blosc_lz4 --op cumsum --axis 0 --budget $OPS_BUDGET --case cumsum_f64" \
    "$PY $BENCH/peers/dask_ops.py --store $DATA --array read_f64_blosc_lz4 --op cumsum --axis 0 --case cumsum_f64" \
    throughput $(( (OPS_BUDGET >> 20) + 100 ))
# Quantiles 0.1, 0.5, 0.9 of the stored 1-D float64 array: x.Quantile([0.1, 0.5, 0.9]) (exact, NumPy's linear method)
# against da.percentile(x, [10, 50, 90]); checksum sum |q| (the quantiles of these symmetric data nearly cancel in a plain
# sum); both JSON lines also give the three values. Dask's percentile is approximate (per-chunk percentiles merged), so
# its checksum is not the exact one: measured 1.2e-3 (small, 25 chunks) and 1.6e-3 (full, 256 chunks) relative below
# or above it (dask 2022.12), hence a 1e-2 tolerance for this case only. Ours, under the same 1 GiB budget, gathers and
# sorts the array when it fits in 3/4 of the budget (tiny, small) and otherwise (full) finds the quantiles exactly by
# histogram passes over the data.
add_case quantile_f64 2 dask \
    "$CC ops --store $DATA --array read_f64_blosc_lz4 --op quantile --budget $OPS_BUDGET --case quantile_f64" \
    "$PY $BENCH/peers/dask_ops.py --store $DATA --array read_f64_blosc_lz4 --op quantile --case quantile_f64" \
    throughput $(( (OPS_BUDGET >> 20) + 100 ))
checksum_tolerance quantile_f64 1e-2
# Moving mean (trailing window of 9 rows, NaN until a full window) along axis 0 of the stored 2-D float32 grid:
# x.MovingMean(9, 0) against Dask's map_overlap of the same kernel (depth 8 rows before, boundary='none'; the same values
# to the last bit), both without the first 8 (NaN) rows, as float64, summed.
add_case moving_mean_f32 2 dask \
    "$CC ops --store $DATA --array grid_f32_blosc_lz4 --op moving_mean --window 9 --axis 0 --budget $OPS_BUDGET --case moving_mean_f32" \
    "$PY $BENCH/peers/dask_ops.py --store $DATA --array grid_f32_blosc_lz4 --op moving_mean --window 9 --axis 0 --case moving_mean_f32" \
    throughput $(( (OPS_BUDGET >> 20) + 100 ))
# Boolean selection of ~10 % of the stored 1-D float64 array (x < -1.2816: the 10 % quantile of the N(0, 1) data):
# x.Extract(x < t).Sum() (the counting pass, which Extract runs, is timed) against Dask's x[x < t].sum().
add_case select_f64 2 dask \
    "$CC ops --store $DATA --array read_f64_blosc_lz4 --op select --threshold -1.2816 --budget $OPS_BUDGET --case select_f64" \
    "$PY $BENCH/peers/dask_ops.py --store $DATA --array read_f64_blosc_lz4 --op select --threshold -1.2816 --case select_f64" \
    throughput $(( (OPS_BUDGET >> 20) + 100 ))

# Mini-batch streaming of the stored 2-D float32 array, in order, 1024 rows per batch: Batches() with prefetch against
# Dask's x[i:i+b].compute() loop (bench/peers/dask_batches.py). Throughput = array bytes / epoch time; rows/s in the JSON.
add_case batches 1 dask \
    "$CC batches --store $DATA --array grid_f32_blosc_lz4 --batch 1024 --case batches" \
    "$PY $BENCH/peers/dask_batches.py --store $DATA --array grid_f32_blosc_lz4 --batch 1024 --case batches"

# The ML.NET adapter (issue 23): one in-order epoch of the stored tall-and-skinny float64 array (64 features) through
# an IDataView cursor over x.AsDataView() (a VBuffer<double> getter call per row, as a trainer reads) against the raw
# Batches stream it wraps (row sums from the batch span), same batch size and budget, timed in the same process (best
# of 3 each); the peer run reports the stream's time. Target: the view at >= 0.8 of the stream's rows/s.
add_case mlnet_view 0.8 batches \
    "$CC mlnet-view --store $DATA --array tsqr_f64_blosc_lz4 --batch 1024 --report view --case mlnet_view" \
    "$CC mlnet-view --store $DATA --array tsqr_f64_blosc_lz4 --batch 1024 --report batches --case mlnet_view"

# An elementwise chain fused into a reduction: ((x - 1) * 2).std().
add_case chain_std_f64 2 dask \
    "$CC reduce --store $DATA --array read_f64_blosc_lz4 --op chain_std --case chain_std_f64" \
    "$PY $BENCH/peers/dask_reduce.py --store $DATA --array read_f64_blosc_lz4 --op chain_std --case chain_std_f64"
floor_of chain_std_f64 read_f64_blosc_lz4

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

# Rechunk of a stored 2-D float32 array from square chunks to full-height column bands 1/8 of a chunk wide, written to
# a new Zarr v2 store (Blosc-LZ4), under a memory budget (1 GiB at full; see RECHUNK in gen_data.py). Second target:
# ChunkCompute's peak RSS <= budget + 100 MiB (7th field). Both outputs go under bench/out/ and are deleted after each run.
read -r RC_ROWS RC_COLS RC_BUDGET < <("$PY" "$BENCH/gen_data.py" --size "$SIZE" --print-rechunk)
add_case rechunk_2d 2 dask \
    "$CC rechunk --store $DATA --array rechunk_f32_blosc_lz4 --out $BENCH/out/scratch-rechunk-cc --rows $RC_ROWS --cols $RC_COLS --budget $RC_BUDGET --case rechunk_2d" \
    "$PY $BENCH/peers/dask_rechunk.py --store $DATA --array rechunk_f32_blosc_lz4 --out $BENCH/out/scratch-rechunk-dask --rows $RC_ROWS --cols $RC_COLS --case rechunk_2d" \
    throughput $(( (RC_BUDGET >> 20) + 100 ))

# Issue 21: whole processes, as a user runs them (process start, runtime start-up, imports, the work, exit), timed by
# bench/peers/whole_process.py around each command. $CLI is the chunkcompute tool published framework-dependent
# ReadyToRun, as the ChunkCompute.Cli.<rid> package ships it and `dotnet tool install` installs it (run.sh step 2).
# stats_process: the mean of the 2 GiB float64 array against the Dask one-liner. convert_process: `chunkcompute convert` of the 2-D float32 grid (rechunk_2d's array) to column bands within
# a small budget against Dask's from_zarr(...).rechunk(...).to_zarr(...); checksum: the sum of what was written; second
# target: peak RSS <= budget + 100 MiB.
READ_BYTES=$("$PY" -c "import zarr; print(zarr.open_array('$DATA', path='read_f64_blosc_lz4', mode='r').nbytes)")
add_case stats_process 2.5 dask \
    "$PY $BENCH/peers/whole_process.py --case stats_process --tool chunkcompute --bytes $READ_BYTES --value json:value -- $CLI stats $DATA --array read_f64_blosc_lz4 --op mean --json --quiet" \
    "$PY $BENCH/peers/whole_process.py --case stats_process --tool dask --bytes $READ_BYTES --value last -- $PY $BENCH/peers/dask_oneliner.py mean $DATA read_f64_blosc_lz4"
min_reps stats_process 7
case "$SIZE" in tiny) CV_CHUNKS="4096,256"; CV_MEMORY=64 ;; small) CV_CHUNKS="8192,512"; CV_MEMORY=128 ;; *) CV_CHUNKS="16384,1024"; CV_MEMORY=256 ;; esac
CV_BYTES=$("$PY" -c "import zarr; print(zarr.open_array('$DATA', path='rechunk_f32_blosc_lz4', mode='r').nbytes)")
add_case convert_process 2 dask \
    "$PY $BENCH/peers/whole_process.py --case convert_process --tool chunkcompute --bytes $CV_BYTES --remove $BENCH/out/scratch-convert-cc --sum-zarr $BENCH/out/scratch-convert-cc rechunk_f32_blosc_lz4 -- $CLI convert $DATA $BENCH/out/scratch-convert-cc --array rechunk_f32_blosc_lz4 --chunks $CV_CHUNKS --memory ${CV_MEMORY}MiB --quiet" \
    "$PY $BENCH/peers/whole_process.py --case convert_process --tool dask --bytes $CV_BYTES --remove $BENCH/out/scratch-convert-dask --sum-zarr $BENCH/out/scratch-convert-dask / -- $PY $BENCH/peers/dask_oneliner.py convert $DATA rechunk_f32_blosc_lz4 $BENCH/out/scratch-convert-dask $CV_CHUNKS" \
    throughput $(( CV_MEMORY + 100 ))

# Blosc codec speed on the Bloscpack benchmark's datasets (100 MB each; 8 MB at tiny): one buffer, typesize 8, byte
# shuffle, clevel 5, BloscCodec against python-blosc (c-blosc); both use every core (BloscCodec's default; python-blosc
# is set to blosc.ncores threads). bench/PROFILE-codec.md also gives one-thread figures for both. Throughput = uncompressed
# bytes / best time.
for cname in lz4 zstd; do
    for ds in arange_i64 linspace_f64 poisson_i64; do
        for op in compress decompress; do
            add_case "codec_${cname}_${op}_${ds}" 1 python-blosc \
                "$CC codec --npy $DATA/codec_${ds}.npy --op $op --cname $cname --clevel 5 --case codec_${cname}_${op}_${ds}" \
                "$PY $BENCH/peers/blosc_codec.py --npy $DATA/codec_${ds}.npy --op $op --cname $cname --clevel 5 --case codec_${cname}_${op}_${ds}"
        done
    done
done

# .npy save / load of a float64 array (512 MiB; 8 MiB at tiny), warm page cache, against np.save / np.load.
# Informational (no target).
for op in save load; do
    add_case "npy_${op}" - numpy \
        "$CC npy --npy $DATA/npy_f64.npy --op $op --scratch $BENCH/out/scratch-cc.npy --case npy_${op}" \
        "$PY $BENCH/peers/numpy_npy.py --npy $DATA/npy_f64.npy --op $op --scratch $BENCH/out/scratch-numpy.npy --case npy_${op}"
done

# TSQR (R only) of a stored tall-and-skinny float64 array (2 GiB at full, 64 columns, 16 MiB row blocks) against
# dask.array.linalg.tsqr in the same run; peak RSS of both is recorded. Checksum: sum of |R| (sign-free). Informational.
add_case tsqr - dask \
    "$CC tsqr --store $DATA --array tsqr_f64_blosc_lz4 --case tsqr" \
    "$PY $BENCH/peers/dask_tsqr.py --store $DATA --array tsqr_f64_blosc_lz4 --case tsqr"

# The commit cases run before the append cases, which write and delete GiBs of scratch data (append_big: copies of a
# 16 GiB array): right after them small writes were slower for both tools on this VM (a suspected cause, not isolated:
# its file system is mounted with `discard`). In session 15's complete run at 16:43 zarr-python's unflushed chunk
# writes took 0.76 ms and our small commits 3.2 ms, against 0.10-0.16 ms and 1.18-1.45 ms for the same case run alone
# minutes later
# (bench/RESULTS-issue21-session15-commit-partial.md).

# Median latency of one small transaction (BeginTransaction, write one 1 MiB chunk, Commit), 40 in a row, against the
# bare zarr-python write of the same chunk (no transaction: what the commit wraps). Informational.
add_case commit_latency - zarr-python \
    "$CC commit-latency --step $DATA/append_step_f64.npy --elements 131072 --out $BENCH/out/scratch-commit-cc --commits 40 --case commit_latency" \
    "$PY $BENCH/peers/zarr_append.py --mode commit --step $DATA/append_step_f64.npy --elements 131072 --out $BENCH/out/scratch-commit-zarr --commits 40 --case commit_latency"
# Issue 21's "small commit" (p50 <= 2 ms, durable): the same with a 4 KiB chunk (512 float64), where the commit's own
# file steps, not the chunk's bytes, are the cost.
add_case commit_latency_small - zarr-python \
    "$CC commit-latency --step $DATA/append_step_f64.npy --elements 512 --out $BENCH/out/scratch-commit-cc --commits 40 --case commit_latency_small" \
    "$PY $BENCH/peers/zarr_append.py --mode commit --step $DATA/append_step_f64.npy --elements 512 --out $BENCH/out/scratch-commit-zarr --commits 40 --case commit_latency_small"

# Append (issue 5): 1 GiB in 64 MiB steps at full (small: 128 MiB in 8 MiB steps; tiny: 8 MiB in 1 MiB steps) onto a new
# 1-D float64 array (Zarr v2, Blosc-LZ4 shuffle, 8 MiB chunks; 1 MiB at tiny), each step one commit (ZarrArray.Append
# outside a transaction) against zarr-python 2's z.append(block) on a DirectoryStore. Step k appends the block in
# append_step_f64.npy + k. Throughput = appended bytes / the appends' time; checksum: the sum of the array read back.
read -r AP_CHUNK AP_STEP AP_STEPS _ _ AP_BIG_STEPS < <("$PY" "$BENCH/gen_data.py" --size "$SIZE" --print-append)
add_case append 2 zarr-python \
    "$CC append --step $DATA/append_step_f64.npy --out $BENCH/out/scratch-append-cc --chunk $AP_CHUNK --steps $AP_STEPS --case append" \
    "$PY $BENCH/peers/zarr_append.py --mode append --step $DATA/append_step_f64.npy --out $BENCH/out/scratch-append-zarr --chunk $AP_CHUNK --steps $AP_STEPS --case append"

# O(appended): the same steps appended onto copies of a small and a large stored array (1 GiB and 16 GiB at small and
# full, every chunk stored; 8 and 128 MiB at tiny). Timed: the appends onto the large one; both report the median
# latency of one append on each base, which must not grow with the array. Informational.
add_case append_big - zarr-python \
    "$CC append-big --step $DATA/append_step_f64.npy --out $BENCH/out/scratch-appendbig-cc --steps $AP_BIG_STEPS --base-small $DATA/append_base_small --base-large $DATA/append_base_large --case append_big" \
    "$PY $BENCH/peers/zarr_append.py --mode append_big --step $DATA/append_step_f64.npy --out $BENCH/out/scratch-appendbig-zarr --steps $AP_BIG_STEPS --base-small $DATA/append_base_small --base-large $DATA/append_base_large --case append_big"

