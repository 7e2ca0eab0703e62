#!/usr/bin/env bash
# Object-store benchmark: a Blosc-LZ4 Zarr array read, and its mean computed, from loopback S3 (s3rver) and Azure
# (Azurite) servers, against the raw throughput of parallel GETs of the same objects with the same SDK, in the same run.
#
#   bench/objectstores/run.sh [--gib N] [--reps N] [--inflight K] [--sweep K1,K2,...] [--save NAME] [--label TEXT]
#
# --gib     size of the float32 array in GiB (default 1; 1 Mi-element chunks, 4 MiB decoded, 256 per GiB)
# --reps    timed repetitions of every case (default 3; one untimed warm-up of each case comes first)
# --inflight requests in flight of the raw GETs (default 64: S3Store's MaxConnections)
# --sweep   also time the raw GETs with each of these requests in flight (default 4,16,128; "" for none), --reps
#           times each, after the cases: where the servers' throughput saturates
# --save    raw results go to bench/objectstores/results/NAME.jsonl (default latest, which RESULTS.md is written from;
#           other files there are shown as earlier runs)
# --label   what this run measures, shown in the report (default: the branch and commit)
#
# Needs the .NET SDK, node/npm and Debian's python3-zarr (installed with apt-get when missing, as bench/run.sh does).
# s3rver 3.7.1 and Azurite 3.37.0 are installed with npm into ~/.cache/chunkcompute/{s3rver,azurite} (the tests'
# folders) when missing, and started on free ports on 127.0.0.1 only, with data folders under
# bench/objectstores/out/servers; both are stopped and their data removed on exit. Nothing is sent anywhere else.
#
# Each rep runs, per backend (s3, az), alternating the order of the cases from rep to rep, every case as its own
# process under /usr/bin/time -v (peak RSS):
#   raw        ChunkCompute.Bench objectstore --mode raw: GET every chunk object with the SDK, K in flight, no decode,
#              asked for as the stores ask for a whole value (a ranged GET of the first 8 MiB, their ReadPartSize)
#   raw_plain  the same with one plain GET per object (AWSSDK.S3 then checks each body's MD5 against its ETag)
#   read       ChunkCompute.Bench objectstore --mode read: the engine, store.Open<float>(array).Compute()
#   read_array ChunkCompute.Bench objectstore --mode read_array: the storage layer, ZarrArray<float>.Read()
#   read_into  ChunkCompute.Bench objectstore --mode read_into: ZarrArray<float>.Read(all, destination) into an array
#              allocated and written before the clock starts (the reading alone, without first touches of fresh memory)
#   mean       ChunkCompute.Bench objectstore --mode mean: store.Open<float>(array).Mean().Compute()
#   mean_cli   chunkcompute stats URL --array A --op mean --json: the CLI as a whole process (seconds = process wall)
# and, for context, read and mean of the local copy (local directory store, page cache warm).
# Checksums are checked against the reference NumPy computed from the local array. Report: bench/objectstores/RESULTS.md.
# Kept out of CI (.ci/run, bench/cases.sh): ~14 min at --gib 1 --reps 5 on the 2-core dev VM under load.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
GIB=1
REPS=3
INFLIGHT=64
SAVE=latest
LABEL=""
SWEEP=4,16,128
ARGS=("$@")
while [[ $# -gt 0 ]]; do
    case "$1" in
        --gib) GIB="$2"; shift 2 ;;
        --reps) REPS="$2"; shift 2 ;;
        --inflight) INFLIGHT="$2"; shift 2 ;;
        --save) SAVE="$2"; shift 2 ;;
        --sweep) SWEEP="$2"; shift 2 ;;
        --label) LABEL="$2"; shift 2 ;;
        -h|--help) sed -n '2,31p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "run.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
for v in GIB REPS INFLIGHT; do
    if ! [[ ${!v} =~ ^[0-9]+$ ]] || (( ${!v} < 1 )); then echo "run.sh: --${v,,} must be a positive whole number" >&2; exit 2; fi
done
if ! [[ $SAVE =~ ^[A-Za-z0-9._-]+$ ]]; then echo "run.sh: --save must be a plain file name" >&2; exit 2; fi
if ! [[ $SWEEP =~ ^([0-9]+(,[0-9]+)*)?$ ]]; then echo "run.sh: --sweep must be a comma-separated list of whole numbers" >&2; exit 2; fi

log() { echo "[objectstores $(date +%H:%M:%S)] $*" >&2; }
PY="${BENCH_PYTHON:-/usr/bin/python3}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# --- 1. dependencies ------------------------------------------------------------------------------------------------
if ! "$PY" -c 'import zarr, numpy, numcodecs' 2>/dev/null || [[ ! -x /usr/bin/time ]]; then
    log "installing python3-zarr python3-numpy time from Debian"
    SUDO=""
    if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y python3-zarr python3-numpy python3-blosc time
fi
for tool in dotnet node npm; do
    command -v "$tool" > /dev/null || { echo "run.sh: $tool is required" >&2; exit 2; }
done
S3RVER_HOME="${CHUNKCOMPUTE_S3RVER:-$HOME/.cache/chunkcompute/s3rver}"
AZURITE_HOME="${CHUNKCOMPUTE_AZURITE:-$HOME/.cache/chunkcompute/azurite}"
if [[ ! -f $S3RVER_HOME/node_modules/s3rver/bin/s3rver.js ]]; then
    log "installing s3rver@3.7.1 into $S3RVER_HOME"
    npm install s3rver@3.7.1 --prefix "$S3RVER_HOME" --no-audit --no-fund --silent
fi
if [[ ! -f $AZURITE_HOME/node_modules/.bin/azurite-blob ]]; then
    log "installing azurite@3.37.0 into $AZURITE_HOME"
    npm install azurite@3.37.0 --prefix "$AZURITE_HOME" --no-audit --no-fund --silent
fi

# --- 2. build (Release; one at a time, one node: the machine is shared) ---------------------------------------------
log "building bench/Runner and src/Cli (Release)"
dotnet build "$ROOT/bench/Runner/ChunkCompute.Bench.csproj" -c Release -nologo -v q -maxcpucount:1 >&2
dotnet build "$ROOT/src/Cli/ChunkCompute.Cli.csproj" -c Release -nologo -v q -maxcpucount:1 >&2
RUNNER="$ROOT/bench/Runner/bin/Release/net10.0/ChunkCompute.Bench.dll"
CLI="$ROOT/src/Cli/bin/Release/net10.0/chunkcompute.dll"

# --- 3. data (kept) ---------------------------------------------------------------------------------------------------
OUT="$HERE/out"
DATA="$OUT/data/${GIB}gib"
ARRAY=f32_blosc_lz4
"$PY" "$HERE/gen_array.py" --out "$DATA" --gib "$GIB"
REF="$DATA/$ARRAY.reference.json"

# --- 4. servers on 127.0.0.1 ------------------------------------------------------------------------------------------
TMP="$(mktemp -d)"
SERVERS="$OUT/servers"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2> /dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2> /dev/null || true; done
    rm -rf "$TMP" "$SERVERS"
}
trap cleanup EXIT
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() {
    local port=$1 name=$2 pid=$3
    for _ in $(seq 300); do
        if "$PY" -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 0.2)" 2> /dev/null; then return 0; fi
        kill -0 "$pid" 2> /dev/null || break
        sleep 0.1
    done
    echo "run.sh: $name did not start on 127.0.0.1:$port" >&2
    cat "$SERVERS/$name.log" >&2 || true
    exit 1
}
rm -rf "$SERVERS"
mkdir -p "$SERVERS/s3" "$SERVERS/az"
S3_PORT=$(free_port)
NODE_OPTIONS=--openssl-legacy-provider node "$S3RVER_HOME/node_modules/s3rver/bin/s3rver.js" \
    -d "$SERVERS/s3" -a 127.0.0.1 -p "$S3_PORT" -s > "$SERVERS/s3rver.log" 2>&1 &
PIDS+=($!)
wait_port "$S3_PORT" s3rver "${PIDS[-1]}"
AZ_PORT=$(free_port)
node "$AZURITE_HOME/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$AZ_PORT" --location "$SERVERS/az" \
    --skipApiVersionCheck --loose --silent --disableTelemetry > "$SERVERS/azurite.log" 2>&1 &
PIDS+=($!)
wait_port "$AZ_PORT" azurite "${PIDS[-1]}"
log "s3rver on 127.0.0.1:$S3_PORT, Azurite on 127.0.0.1:$AZ_PORT"

# the stores' and SDKs' settings: loopback endpoints, fixed test credentials, no instance-metadata look-ups
unset AWS_ENDPOINT_URL_S3 AWS_PROFILE AWS_SESSION_TOKEN
export AWS_ENDPOINT_URL="http://127.0.0.1:$S3_PORT" AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
export AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$AZ_PORT/devstoreaccount1;"
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

# --- 5. upload with the CLI -------------------------------------------------------------------------------------------
declare -A URL=([s3]="s3://bench/${GIB}gib" [az]="az://bench/${GIB}gib" [local]="$DATA")
UPLOAD="$TMP/upload.jsonl"
: > "$UPLOAD"
for backend in s3 az; do
    dotnet "$RUNNER" objectstore --mode setup --url "${URL[$backend]}"
    log "uploading $ARRAY to ${URL[$backend]} (chunkcompute convert)"
    dotnet "$CLI" convert "$DATA" "${URL[$backend]}" --array "$ARRAY" --json \
        | "$PY" -c "import json,sys; r=json.load(sys.stdin); r['backend']='$backend'; print(json.dumps(r))" >> "$UPLOAD"
done

# --- 6. cases ---------------------------------------------------------------------------------------------------------
RESULTS="$HERE/results"
mkdir -p "$RESULTS"
RAW="$OUT/$SAVE.jsonl"
: > "$RAW"
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src bench/Runner || echo '+changes')"
BRANCH="$(git -C "$ROOT" rev-parse --abbrev-ref HEAD)"
if [[ -z $LABEL ]]; then
    LABEL="$BRANCH at $COMMIT"
    # a branch that merges main: say which main it holds
    if git -C "$ROOT" rev-parse --verify -q main > /dev/null && [[ $BRANCH != main ]]; then
        LABEL+=" (main up to $(git -C "$ROOT" rev-parse --short "$(git -C "$ROOT" merge-base HEAD main)"))"
    fi
fi

# case_command BACKEND CASE: the command line of one case (dotnet paths relative to the repository in the record)
case_command() {
    local backend=$1 name=$2 url="${URL[$1]}"
    case $name in
        raw|raw_plain) echo "dotnet $RUNNER objectstore --mode $name --url $url --array $ARRAY --inflight $INFLIGHT --case $name" ;;
        raw_k*) echo "dotnet $RUNNER objectstore --mode raw --url $url --array $ARRAY --inflight ${name#raw_k} --case $name" ;;
        read|read_array|read_into|mean) echo "dotnet $RUNNER objectstore --mode $name --url $url --array $ARRAY --case $name" ;;
        mean_cli) echo "dotnet $CLI stats $url --array $ARRAY --op mean --json" ;;
    esac
}

# server_ticks BACKEND: CPU time (user + system, clock ticks) the backend's server process has used so far, or nothing
CLK_TCK=$(getconf CLK_TCK)
declare -A SERVER_PID=([s3]="${PIDS[0]}" [az]="${PIDS[1]}")
server_ticks() {
    local pid="${SERVER_PID[$1]:-}"
    if [[ -n $pid && -r /proc/$pid/stat ]]; then
        # fields after the command name (which is in parentheses and may hold spaces): utime is 14th, stime 15th
        sed 's/^.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }'
    fi
}

# run_one BACKEND CASE REP: one process under /usr/bin/time -v; appends one record to $RAW
run_one() {
    local backend=$1 name=$2 rep=$3 cmd load start end
    cmd="$(case_command "$backend" "$name")"
    sync
    read -r load _ < /proc/loadavg
    server_before=$(server_ticks "$backend")
    start=$(date +%s%N)
    # word splitting of $cmd is intended: plain argument lists
    # shellcheck disable=SC2086
    if ! /usr/bin/time -v -o "$TMP/time.txt" $cmd > "$TMP/stdout.txt" 2> "$TMP/stderr.txt"; then
        cat "$TMP/stderr.txt" >&2
        echo "run.sh: $backend $name failed: $cmd" >&2
        exit 1
    fi
    end=$(date +%s%N)
    server_after=$(server_ticks "$backend")
    "$PY" "$HERE/report.py" record --stdout "$TMP/stdout.txt" --time "$TMP/time.txt" --backend "$backend" --case "$name" \
        --rep "$rep" --load "$load" --wall-ns "$((end - start))" --command "${cmd//$ROOT\//}" --reference "$REF" \
        --label "$LABEL" --commit "$COMMIT" --gib "$GIB" \
        --server-cpu "$(awk -v a="$server_before" -v b="$server_after" -v hz="$CLK_TCK" 'BEGIN { if (a == "" || b == "") print -1; else print (b - a) / hz }')" >> "$RAW"
    if (( rep > 0 )); then
        log "$backend $name rep $rep: $(tail -n 1 "$RAW" | "$PY" -c 'import json,sys; r=json.load(sys.stdin); print("%.2f s, %.3f GB/s, %.0f MiB RSS, in flight %s" % (r["seconds"], r["bytes"] / r["seconds"] / 1e9, r["max_rss_kib"] / 1024, r.get("requests_in_flight", "-")))')"
    fi
}

# touch, once, the memory the runs will allocate (the read cases hold the whole array, plus the servers' buffers), so
# that on a VM that backs guest memory lazily no timed run pays for first-ever page touches (see bench/prefault.py)
"$PY" "$ROOT/bench/prefault.py" --bytes $((3 * GIB << 30))

S3_CASES=(raw raw_plain read read_array read_into mean mean_cli)
LOCAL_CASES=(read read_into mean)
for ((rep = 0; rep <= REPS; rep++)); do
    if (( rep == 0 )); then log "warm-up (untimed): every case once"; fi
    # rotate the order of the cases from rep to rep, and alternate which backend goes first
    n=${#S3_CASES[@]}
    order=()
    for ((k = 0; k < n; k++)); do order+=("${S3_CASES[$(((k + rep) % n))]}"); done
    if (( rep % 2 == 0 )); then backends=(s3 az); else backends=(az s3); fi
    for backend in "${backends[@]}"; do
        for name in "${order[@]}"; do run_one "$backend" "$name" "$rep"; done
    done
    for name in "${LOCAL_CASES[@]}"; do run_one local "$name" "$rep"; done
done

# the raw GETs with other numbers of requests in flight (after the cases: they do not disturb the comparison)
if [[ -n $SWEEP ]]; then
    IFS=, read -r -a KS <<< "$SWEEP"
    log "raw GETs with ${SWEEP} requests in flight"
    for ((rep = 1; rep <= REPS; rep++)); do
        for backend in s3 az; do
            for k in "${KS[@]}"; do run_one "$backend" "raw_k$k" "$rep"; done
        done
    done
fi

# --- 7. check and report ----------------------------------------------------------------------------------------------
"$PY" "$HERE/report.py" check --raw "$RAW" --reference "$REF"
cp "$RAW" "$RESULTS/$SAVE.jsonl"
cp "$UPLOAD" "$RESULTS/$SAVE.upload.jsonl"
"$PY" "$HERE/report.py" machine --s3rver "$S3RVER_HOME" --azurite "$AZURITE_HOME" > "$RESULTS/$SAVE.machine.json"
COMMAND="bench/objectstores/run.sh"
if (( ${#ARGS[@]} > 0 )); then COMMAND+="$(printf ' %q' "${ARGS[@]}")"; fi
echo "$COMMAND" > "$RESULTS/$SAVE.command.txt"
"$PY" "$HERE/report.py" report --results "$RESULTS" --main "$SAVE" --md "$HERE/RESULTS.md"
log "wrote bench/objectstores/RESULTS.md (raw: bench/objectstores/results/$SAVE.jsonl)"
