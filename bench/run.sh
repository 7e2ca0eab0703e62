#!/usr/bin/env bash
# Benchmark harness: ChunkCompute against its peer on the same data, in the same run.
#
#   bench/run.sh [--size tiny|small|full|huge] [--reps N] [--only CASE] [--cases A,B,...]
#
# Installs what it needs from Debian when missing, builds the C# runner (Release), generates the data with
# zarr-python (deterministic; kept when present), then for each case (bench/cases.sh) runs one untimed
# warm-up of each tool and N timed runs of each, alternating, each under /usr/bin/time -v for peak RSS. A read-bound
# case (floor_of in cases.sh) also has its floor measured the same way in the same run: the page-cache copy plus decode
# of the same chunk files on every core (`ChunkCompute.Bench floor-run`); the report gives ChunkCompute / floor.
# Raw results: bench/out/<size>.jsonl. Report: bench/RESULTS.md and bench/results.svg, or, when --only/--cases
# select some cases, bench/out/RESULTS-<size>-partial.md and .svg (RESULTS.md only ever holds a complete run).
#
# --size huge (larger than RAM; documented, never run by CI) runs only the huge_std case: std of a 32 GiB float64
# array (bench/data/huge, generated chunk by chunk; ~30 GiB on disk, so the disk needs ~33 GiB free the first time)
# with a 1 GiB memory budget against Dask, from a cold page cache: before every run the array's files are evicted
# (sync + /proc/sys/vm/drop_caches when root, and posix_fadvise DONTNEED; see coldcache.py), and the disk's
# sequential read rate is measured on the same files before and after the case (O_DIRECT reads: the disk, not the cache). Report: bench/RESULTS-huge.md and
# bench/results-huge.svg (RESULTS.md is left alone). Expect ~5 min to generate the data once (~6 s per GiB on the
# 2-core dev VM), then ~30 s per run (8 runs with the warm-ups, plus 2 disk reads) where the disk reads ~1.2 GB/s:
# ~10 min in all the first time. HUGE_GIB=N bench/run.sh --size huge uses an N GiB array instead
# (bench/data/huge-<N>gib; report bench/out/RESULTS-huge-<N>gib.md): only to test the plumbing.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
SIZE=tiny
REPS=3
ONLY=""

while [[ $# -gt 0 ]]; do
    case "$1" in
        --size) SIZE="$2"; shift 2 ;;
        --reps) REPS="$2"; shift 2 ;;
        --only|--cases) ONLY="$2"; shift 2 ;;
        -h|--help) sed -n '2,22p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "run.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
case "$SIZE" in tiny|small|full|huge) ;; *) echo "run.sh: --size must be tiny, small, full or huge" >&2; exit 2 ;; esac
HUGE_GIB="${HUGE_GIB:-32}"
if ! [[ "$HUGE_GIB" =~ ^[0-9]+$ ]] || (( HUGE_GIB < 1 )); then echo "run.sh: HUGE_GIB must be a whole number of GiB" >&2; exit 2; fi
# TAG names this run's data folder and raw results: the size, or huge-<N>gib for a plumbing run of another size
TAG="$SIZE"
if [[ $SIZE == huge && $HUGE_GIB != 32 ]]; then TAG="huge-${HUGE_GIB}gib"; fi
if ! [[ "$REPS" =~ ^[0-9]+$ ]] || (( REPS < 3 )); then echo "run.sh: --reps must be at least 3" >&2; exit 2; fi

log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }

# Debian's python3 (the one python3-zarr is installed for); a pyenv/venv python3 earlier on PATH would not see it.
PY="${BENCH_PYTHON:-/usr/bin/python3}"

# --- 1. dependencies --------------------------------------------------------------------------------
if ! "$PY" -c 'import zarr, numpy, numcodecs, dask, blosc' 2>/dev/null || [[ ! -x /usr/bin/time ]]; then
    log "installing python3-zarr python3-numpy python3-dask python3-blosc time from Debian"
    SUDO=""
    if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y python3-zarr python3-numpy python3-dask python3-blosc time
fi

# --- 2. build the C# runner once (Release, one build node: this machine is shared) -------------------
# Published as a startup-sensitive .NET command-line tool is shipped: self-contained, ReadyToRun, composite (the
# library, its packages and the generic instantiations it uses are compiled ahead of time in one image), so a timed
# run does not spend its first ~0.1 s jitting (docs/DESIGN.md, decision log).
log "publishing bench/Runner (Release, self-contained composite ReadyToRun)"
RID="linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')"
dotnet publish "$BENCH/Runner/ChunkCompute.Bench.csproj" -c Release -r "$RID" --self-contained true \
    -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true \
    -o "$BENCH/Runner/bin/publish" -nologo -v q -maxcpucount:1 >&2
CC="$BENCH/Runner/bin/publish/ChunkCompute.Bench"
# The chunkcompute tool as `dotnet tool install` installs it, for the whole-process cases: the ChunkCompute.Cli.<rid>
# package is the Release build published for this RID, framework-dependent, ReadyToRun (src/Cli/ChunkCompute.Cli.csproj).
log "publishing the chunkcompute tool (Release, $RID, framework-dependent ReadyToRun, as the tool package ships it)"
dotnet publish "$BENCH/../src/Cli/ChunkCompute.Cli.csproj" -c Release -r "$RID" --self-contained false -p:PublishReadyToRun=true \
    -o "$BENCH/out/cli" -nologo -v q -maxcpucount:1 >&2
CLI="$BENCH/out/cli/chunkcompute"

# --- 3. data ------------------------------------------------------------------------------------------
DATA="$BENCH/data/$TAG"
log "data: $DATA"
# The rss_std_budget array is 8 GiB at full when the disk has room (it takes ~8 GiB on disk: LZ4 barely compresses
# rounded normals), else 2 GiB; an 8 GiB array already generated is kept.
BIG_GIB=8
if [[ $SIZE == full && ! -d "$DATA/big_f64_blosc_lz4" ]] && (( $(df -P --block-size=1G "$BENCH" | awk 'NR==2 {print $4}') < 20 )); then
    BIG_GIB=2
    log "less than 20 GiB free: rss_std_budget uses a 2 GiB array"
fi
"$PY" "$BENCH/gen_data.py" --size "$SIZE" --out "$DATA" --big-gib "$BIG_GIB" --huge-gib "$HUGE_GIB"

# Touch, once, the memory the runs will allocate (3x the largest array: both tools' results plus slack), so that on a
# VM that backs guest memory lazily no timed run pays for first-ever page touches (see prefault.py).
case "$SIZE" in tiny) PREFAULT=$((24 << 20)) ;; small) PREFAULT=$((600 << 20)) ;; full) PREFAULT=$((6 << 30)) ;; huge) PREFAULT=$((2 << 30)) ;; esac
"$PY" "$BENCH/prefault.py" --bytes "$PREFAULT"

# --- 4. cases -----------------------------------------------------------------------------------------
CASE_NAMES=(); CASE_TARGETS=(); CASE_PEERS=(); CASE_CC=(); CASE_PEER_CMD=(); CASE_METRICS=(); CASE_RSS=(); CASE_COLD=()
declare -A CASE_REL_TOL=()
add_case() {
    CASE_NAMES+=("$1"); CASE_TARGETS+=("$2"); CASE_PEERS+=("$3"); CASE_CC+=("$4"); CASE_PEER_CMD+=("$5")
    CASE_METRICS+=("${6:-throughput}"); CASE_RSS+=("${7:--}"); CASE_COLD+=("${8:-}")
}
# checksum_tolerance CASE REL: the relative tolerance the case's checksums must agree to, instead of 1e-6 (cases.sh)
checksum_tolerance() { CASE_REL_TOL["$1"]="$2"; }
# floor_of CASE ARRAY [blocks|whole]: the case is read-bound; its floor (the page-cache copy plus decode of ARRAY's chunk
# files on every core, read and decoded as the engine does: block by block in cache-sized pieces, or whole files decoded
# whole; `ChunkCompute.Bench floor-run`) is measured in the same run, as a third tool beside the case's two (cases.sh)
declare -A CASE_FLOOR=()
# min_reps CASE N: the case runs at least N timed repetitions per tool (cases.sh): a whole process of ~0.4 s against ~1 s
# is cheap to repeat, and on this VM one run in three can take several times as long for either tool (host stalls), so
# three repetitions let two outliers decide a median
declare -A CASE_MIN_REPS=()
min_reps() { CASE_MIN_REPS["$1"]="$2"; }
floor_of() { CASE_FLOOR["$1"]="$CC floor-run --store $DATA --array $2 --reads ${3:-blocks} --case $1"; }
# shellcheck source=cases.sh
source "$BENCH/cases.sh"

OUT="$BENCH/out"
mkdir -p "$OUT"
RAW="$OUT/$TAG.jsonl"
DISK="$OUT/$TAG-disk.jsonl"  # disk read rates measured by cold cases (coldcache.py diskread)
: > "$RAW"
rm -f "$DISK"
TMP="$(mktemp -d)"
# the commit measured, recorded with every result (a report may be written later, from another commit)
COMMIT="$(git -C "$BENCH/.." rev-parse --short HEAD 2>/dev/null || true)"
if [[ -n $COMMIT && -n "$(git -C "$BENCH/.." status --porcelain -- src bench/Runner 2>/dev/null)" ]]; then
    COMMIT="$COMMIT (src or runner modified)"
fi
trap 'rm -rf "$TMP"' EXIT

# warm_input COMMAND: read the array named by the command's --store and --array into the page cache (no-op without them)
warm_input() {
    local store="" array="" prev="" word
    # shellcheck disable=SC2086
    for word in $1; do
        case $prev in --store) store=$word ;; --array) array=$word ;; esac
        prev=$word
    done
    if [[ -n $store && -n $array && -d $store/$array ]]; then "$PY" "$BENCH/coldcache.py" warm --dir "$store/$array" 2> /dev/null; fi
}

# run_one CASE TOOL_LABEL ROLE REP TARGET COMMAND: one process under /usr/bin/time -v; appends a JSONL record.
# ($metric, $rss_limit, $cold and $rel_tol, the case's metric, RSS limit, cold-cache folder and checksum tolerance, are
# set by the loop below.)
run_one() {
    local name="$1" label="$2" role="$3" rep="$4" target="$5" cmd="$6" load
    # a cold case reads from the disk: evict its files from the page cache before every run; a warm case re-reads its
    # input array (the command's --store/--array) untimed, so every run starts from the warm cache the method claims
    # (this VM's host pages idle guest memory out: a DAMON pageout scheme evicted data between runs, seen as 1.5 s
    # outliers of 0.3 s runs, for either tool)
    if [[ -n $cold ]]; then
        "$PY" "$BENCH/coldcache.py" drop --dir "$cold"
    else
        warm_input "$cmd"
    fi
    # write the dirty pages of earlier runs to disk first, so no run pays for flushing another's writes (a peer that
    # does not fsync leaves ~1 GiB dirty after a write case; the kernel throttles the next writer while it flushes)
    sync
    # the 1-minute load average just before the run: other work on the machine shows up here
    read -r load _ < /proc/loadavg
    # word splitting of $cmd is intended: cases are plain argument lists
    # shellcheck disable=SC2086
    if ! /usr/bin/time -v -o "$TMP/time.txt" $cmd > "$TMP/stdout.txt" 2> "$TMP/stderr.txt"; then
        cat "$TMP/stderr.txt" >&2
        echo "run.sh: $label failed on case $name: $cmd" >&2
        exit 1
    fi
    "$PY" "$BENCH/record.py" --stdout "$TMP/stdout.txt" --time "$TMP/time.txt" \
        --case "$name" --tool "$label" --role "$role" --rep "$rep" --size "$SIZE" --target "$target" \
        --load "$load" --command "$cmd" --metric "$metric" --rss-limit "$rss_limit" --rel-tol "$rel_tol" --commit "$COMMIT" >> "$RAW"
}

for i in "${!CASE_NAMES[@]}"; do
    name="${CASE_NAMES[$i]}"
    if [[ -n "$ONLY" && ",$ONLY," != *",$name,"* ]]; then continue; fi
    target="${CASE_TARGETS[$i]}"; peer="${CASE_PEERS[$i]}"; metric="${CASE_METRICS[$i]}"; rss_limit="${CASE_RSS[$i]}"; cold="${CASE_COLD[$i]}"
    rel_tol="${CASE_REL_TOL[$name]:-1e-6}"
    if [[ -n $cold ]]; then "$PY" "$BENCH/coldcache.py" diskread --dir "$cold" --case "$name" --when before >> "$DISK"; fi
    floor="${CASE_FLOOR[$name]:-}"
    log "case $name: warm-up (untimed: ChunkCompute, $peer${floor:+, floor})"
    run_one "$name" chunkcompute chunkcompute 0 "$target" "${CASE_CC[$i]}"
    run_one "$name" "$peer" peer 0 "$target" "${CASE_PEER_CMD[$i]}"
    # a read-bound case's floor (floor_of): an untimed warm-up and a timed run per rep like the tools', between them
    if [[ -n $floor ]]; then run_one "$name" floor floor 0 "$target" "$floor"; fi
    reps=$REPS
    if (( ${CASE_MIN_REPS[$name]:-0} > reps )); then reps=${CASE_MIN_REPS[$name]}; fi
    for ((rep = 1; rep <= reps; rep++)); do
        # alternate which goes first, so neither always follows the other (the floor, when there is one, runs between)
        if (( rep % 2 == 1 )); then order=(cc floor peer); else order=(peer floor cc); fi
        for who in "${order[@]}"; do
            if [[ $who == cc ]]; then
                run_one "$name" chunkcompute chunkcompute "$rep" "$target" "${CASE_CC[$i]}"
            elif [[ $who == floor ]]; then
                if [[ -z $floor ]]; then continue; fi
                run_one "$name" floor floor "$rep" "$target" "$floor"
            else
                run_one "$name" "$peer" peer "$rep" "$target" "${CASE_PEER_CMD[$i]}"
            fi
            log "case $name rep $rep: $(tail -n 1 "$RAW" | "$PY" -c 'import json,sys; r=json.load(sys.stdin); print("%s %.3f s, %.2f GB/s, %.0f MiB RSS" % (r["tool"], r["seconds"], r["bytes"] / r["seconds"] / 1e9, r["max_rss_kib"] / 1024))')"
        done
    done
    if [[ -n $cold ]]; then "$PY" "$BENCH/coldcache.py" diskread --dir "$cold" --case "$name" --when after >> "$DISK"; fi
    "$PY" "$BENCH/record.py" --check "$RAW" --case "$name" --metric "$metric" --rel-tol "$rel_tol"
done

# --- 5. report ----------------------------------------------------------------------------------------
COMMAND="bench/run.sh --size $SIZE"
if [[ $TAG != "$SIZE" ]]; then COMMAND="HUGE_GIB=$HUGE_GIB $COMMAND"; fi
if (( REPS != 3 )); then COMMAND+=" --reps $REPS"; fi
MD="$BENCH/RESULTS.md"; SVG="$BENCH/results.svg"
# the huge run has its own report (RESULTS.md holds the other sizes' complete runs); a plumbing run's goes to out/
if [[ $SIZE == huge ]]; then MD="$BENCH/RESULTS-huge.md"; SVG="$BENCH/results-huge.svg"; fi
if [[ $TAG != "$SIZE" ]]; then MD="$OUT/RESULTS-$TAG.md"; SVG="$OUT/RESULTS-$TAG.svg"; fi
if [[ -n "$ONLY" ]]; then
    COMMAND+=" --cases $ONLY"
    MD="$OUT/RESULTS-$TAG-partial.md"; SVG="$OUT/RESULTS-$TAG-partial.svg"
fi
if [[ ! -s "$RAW" ]]; then echo "run.sh: no case matched '$ONLY'" >&2; exit 2; fi
DISK_ARGS=()
if [[ -s "$DISK" ]]; then DISK_ARGS=(--disk "$DISK"); fi
"$PY" "$BENCH/report.py" --raw "$RAW" --size "$SIZE" --command "$COMMAND" --md "$MD" --svg "$SVG" "${DISK_ARGS[@]}"
log "wrote ${MD#"$ROOT"/} and ${SVG#"$ROOT"/}"
