#!/usr/bin/env bash
# Transactions on an object store: commit latency (p50/p99) and append throughput on Azurite (loopback), each against
# the same writes without transactions in the same run.
#
#   bench/objectstores/commits.sh [--reps N] [--commits N] [--mib N] [--tx-mib N]
#
# --reps     repetitions of every case, tx and plain alternating (default 3)
# --commits  small commits (one 64 KiB chunk each) per latency run (default 200)
# --mib      MiB appended per append run (default 256), in transactions of --tx-mib MiB (default 16; 1 MiB chunks)
#
# Azurite 3.37.0 is installed with npm into ~/.cache/chunkcompute/azurite (the tests' folder) when missing, started on
# a free port on 127.0.0.1 with a temporary data folder, stopped and removed on exit. Raw results:
# bench/objectstores/results/commits.jsonl; the table is printed and written to bench/objectstores/RESULTS-commits.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
REPS=3 COMMITS=200 MIB=256 TXMIB=16
while [[ $# -gt 0 ]]; do
    case "$1" in
        --reps) REPS="$2"; shift 2 ;;
        --commits) COMMITS="$2"; shift 2 ;;
        --mib) MIB="$2"; shift 2 ;;
        --tx-mib) TXMIB="$2"; shift 2 ;;
        -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "commits.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
for v in REPS COMMITS MIB TXMIB; do
    if ! [[ ${!v} =~ ^[0-9]+$ ]] || (( ${!v} < 1 )); then echo "commits.sh: --${v,,} must be a positive whole number" >&2; exit 2; fi
done
PY="${BENCH_PYTHON:-/usr/bin/python3}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
AZURITE_HOME="${CHUNKCOMPUTE_AZURITE:-$HOME/.cache/chunkcompute/azurite}"
if [[ ! -f $AZURITE_HOME/node_modules/.bin/azurite-blob ]]; then
    npm install azurite@3.37.0 --prefix "$AZURITE_HOME" --no-audit --no-fund --silent
fi
DATA="$(mktemp -d)"
PID=""
cleanup() { [[ -n $PID ]] && { kill "$PID" 2> /dev/null || true; wait "$PID" 2> /dev/null || true; }; rm -rf "$DATA"; }
trap cleanup EXIT
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
node "$AZURITE_HOME/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$PORT" --location "$DATA" \
    --skipApiVersionCheck --loose --silent --disableTelemetry > "$DATA/azurite.log" 2>&1 &
PID=$!
for _ in $(seq 300); do
    "$PY" -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 0.2)" 2> /dev/null && break
    sleep 0.1
done
export AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$PORT/devstoreaccount1;"
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

dotnet build "$ROOT/bench/Runner/ChunkCompute.Bench.csproj" -c Release -v q -nologo > /dev/null
BENCH="$ROOT/bench/Runner/bin/Release/net10.0/ChunkCompute.Bench.dll"
mkdir -p "$HERE/results"
OUT="$HERE/results/commits.jsonl"
: > "$OUT"
for rep in $(seq "$REPS"); do
    if (( rep % 2 )); then ORDER=(tx plain); else ORDER=(plain tx); fi
    for mode in "${ORDER[@]}"; do
        dotnet "$BENCH" objcommit --url "az://c$rep$mode/commit" --mode "$mode" --what commit --commits "$COMMITS" >> "$OUT"
        dotnet "$BENCH" objcommit --url "az://a$rep$mode/append" --mode "$mode" --what append --mib "$MIB" --tx-mib "$TXMIB" >> "$OUT"
    done
done

"$PY" - "$OUT" "$REPS" "$COMMITS" "$MIB" "$TXMIB" > "$HERE/RESULTS-commits.md" <<'PYEOF'
import json, statistics, sys, subprocess
path, reps, commits, mib, txmib = sys.argv[1:]
rows = [json.loads(l) for l in open(path) if l.strip().startswith("{")]
def med(case, key):
    return statistics.median(r[key] for r in rows if r["case"] == case)
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
print("# Transactions on an object store (Azurite on 127.0.0.1)\n")
print(f"`bench/objectstores/commits.sh --reps {reps} --commits {commits} --mib {mib} --tx-mib {txmib}` at {commit}; medians of {reps} runs, "
      "each case against the same writes without transactions in the same run (`ZarrStoreOptions.Transactional = false`).\n")
print("| case | with transactions | without | ratio |")
print("|---|---:|---:|---:|")
for key, label in (("p50_ms", "commit of one 64 KiB chunk, p50 (ms)"), ("p99_ms", "commit of one 64 KiB chunk, p99 (ms)")):
    t, p = med("objcommit_tx", key), med("objcommit_plain", key)
    print(f"| {label} | {t:.1f} | {p:.1f} | {t / p:.2f}× the time |")
t, p = med("objappend_tx", "mb_per_s"), med("objappend_plain", "mb_per_s")
print(f"| append {mib} MiB in {txmib} MiB transactions (MB/s) | {t:.0f} | {p:.0f} | {t / p:.2f}× the throughput |")
PYEOF
cat "$HERE/RESULTS-commits.md"
