#!/bin/bash
# Median and minimum wall time in ms of N runs of a command: bench/startup/median_ms.sh 20 chunkcompute --version
# (used for the start-up figures in bench/CodecBackends/RESULTS.md).
# median wall ms of N runs of a command
n=$1; shift
for i in $(seq $n); do s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e-s)/1000000 )); done | sort -n | awk '{a[NR]=$1} END {printf "median %d ms, min %d ms\n", a[int((NR+1)/2)], a[1]}'
