#!/usr/bin/env bash
# Issue 18's overhead ratio as a user sees it: `chunkcompute stats --op mean` over the 2 GiB float64 array and
# `chunkcompute convert` of the 2 GiB float32 grid to column bands, each in process and on two local Orleans workers
# (`chunkcompute worker`, 127.0.0.1, 1 task and --memory each), whole commands timed, best of REPS.
#   bench/cluster/cli_overhead.sh [DATA=bench/data/full] [REPS=3]
# Needs the bench data (bench/gen_data.py --size full --only read_f64_blosc_lz4 / rechunk_f32_blosc_lz4).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
data="$(cd "${1:-$root/bench/data/full}" && pwd)"; reps="${2:-3}"
dotnet publish "$root/src/Cli/ChunkCompute.Cli.csproj" -c Release -o "$root/bench/out/cli" -nologo -v q -maxcpucount:1 >&2
cli="$root/bench/out/cli/chunkcompute"
work="$(mktemp -d "$root/bench/out/cluster-XXXXXX")"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
"$cli" worker --port 32100 --memory 1GiB --tasks 1 > "$work/w1.log" 2>&1 & pids+=($!)
until grep -q listening "$work/w1.log"; do sleep 0.2; done
"$cli" worker --port 32110 --join 127.0.0.1:32100 --memory 1GiB --tasks 1 > "$work/w2.log" 2>&1 & pids+=($!)
until grep -q listening "$work/w2.log"; do sleep 0.2; done
best() { # best wall seconds of REPS runs of the command
    local b=999999 t
    for ((i = 0; i < reps; i++)); do
        rm -rf "$work/out.zarr"; sync
        t=$( { /usr/bin/time -f %e "$@" > /dev/null; } 2>&1 | tail -1 )
        b=$(python3 -c "print(min($b, $t))")
    done
    echo "$b"
}
mean=("$cli" stats "$data" --array read_f64_blosc_lz4 --op mean --quiet)
conv=("$cli" convert "$data" "$work/out.zarr" --array rechunk_f32_blosc_lz4 --chunks 16384,1024 --memory 1GiB --quiet)
m1=$(best "${mean[@]}"); m2=$(best "${mean[@]}" --cluster 127.0.0.1:32100,127.0.0.1:32110)
c1=$(best "${conv[@]}"); c2=$(best "${conv[@]}" --cluster 127.0.0.1:32100,127.0.0.1:32110)
echo "| case | in process s | 2 Orleans workers s | workers / in process |"
echo "|---|---:|---:|---:|"
echo "| stats --op mean, 2 GiB float64 | $m1 | $m2 | $(python3 -c "print(f'{$m2/$m1:.2f}')") |"
echo "| convert --chunks 16384,1024, 2 GiB float32 | $c1 | $c2 | $(python3 -c "print(f'{$c2/$c1:.2f}')") |"
