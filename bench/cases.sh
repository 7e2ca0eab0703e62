# Benchmark cases, sourced by bench/run.sh.
#
# A case is: a name, a target (minimum ChunkCompute/peer throughput ratio; "-" for none), the peer's label,
# a ChunkCompute command and a peer command. Both commands must print one JSON line
#   {"case": NAME, "tool": ..., "seconds": <time of the operation only>, "bytes": <logical bytes>, "checksum": <float>}
# and run.sh checks that the two agree on bytes and (to 1e-6 relative) on the checksum.
#
# Available to the commands: $CC (the C# runner), $PY (Debian's python3), $BENCH (this folder),
# $DATA (bench/data/<size>, made by gen_data.py). To add a case: add its data to gen_data.py's ARRAYS,
# a command to bench/Runner/Program.cs, a peer script under bench/peers/, and one add_case line below.

add_case read_f64_blosc_lz4 1.5 zarr-python \
    "$CC read --store $DATA --array read_f64_blosc_lz4 --case read_f64_blosc_lz4" \
    "$PY $BENCH/peers/zarr_read.py --store $DATA --array read_f64_blosc_lz4 --case read_f64_blosc_lz4"
