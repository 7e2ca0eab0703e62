#!/usr/bin/env bash
# Stops the cluster scripts/slurm/start-slurm.sh started (slurmd, slurmctld, munged), by the pids it recorded in
# $CHUNKCOMPUTE_SLURM_DIR (default /tmp/chunkcompute-slurm). The folder (config, state, logs) is kept.
set -uo pipefail
dir=${CHUNKCOMPUTE_SLURM_DIR:-/tmp/chunkcompute-slurm}

stop() { # pid file, process name
  [ -f "$1" ] || return 0
  local pid
  pid=$(cat "$1")
  if [ -n "$pid" ] && [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = "$2" ]; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  fi
  rm -f "$1"
}

stop "$dir/slurmd.daemon.pid" slurmd
stop "$dir/slurmctld.daemon.pid" slurmctld
stop "$dir/munge/munged.pid" munged
echo "stopped"
