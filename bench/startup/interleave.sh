#!/bin/bash
# Whole-process wall times of several variants of one command, interleaved (variant 1, 2, ..., 1, 2, ...) so that the
# load of a shared machine falls on all of them alike; prints the median and minimum of each.
#   bench/startup/interleave.sh N 'label=command ...' 'label=command ...' ...
# e.g. bench/startup/interleave.sh 10 "jit=/tmp/a/chunkcompute --version" "r2r=/tmp/b/chunkcompute --version"
# A variant's command is run by bash (so `VAR=1 cmd` works); its output is discarded, a failing run is reported.
set -euo pipefail
n=$1; shift
labels=(); cmds=()
for v in "$@"; do labels+=("${v%%=*}"); cmds+=("${v#*=}"); done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# One untimed warm-up run of each (page cache, first-run effects).
for i in "${!cmds[@]}"; do bash -c "${cmds[$i]}" >/dev/null 2>&1 || { echo "warm-up of ${labels[$i]} failed: ${cmds[$i]}" >&2; exit 1; }; done
for r in $(seq "$n"); do
  for i in "${!cmds[@]}"; do
    s=$(date +%s%N)
    bash -c "${cmds[$i]}" >/dev/null 2>&1 || echo "run $r of ${labels[$i]} failed" >&2
    e=$(date +%s%N)
    echo $(( (e - s) / 1000000 )) >> "$tmp/$i"
  done
done
for i in "${!cmds[@]}"; do
  sort -n "$tmp/$i" | awk -v l="${labels[$i]}" '{a[NR]=$1} END {printf "%-14s median %5d ms  min %5d ms  (%d runs)\n", l, a[int((NR+1)/2)], a[1], NR}'
done
