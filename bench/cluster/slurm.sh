#!/usr/bin/env bash
# The Slurm transport's overhead per task: the sum of a float64 array of N tiny chunks (8 KB each) in process, on two
# in-process LocalWorkers, and as Slurm job arrays on the single-node cluster of scripts/slurm/start-slurm.sh (started
# here when it is not running). Each array task is one `dotnet SlurmBench.dll run-task DIR` process, so the figure is
# mostly process start-up plus Slurm's scheduling, spread over the node's CPUs. Usage: bench/cluster/slurm.sh [N...]
set -euo pipefail
[ $# -gt 0 ] || set -- 16 64 256
cd "$(dirname "$0")/../.."
eval "$(scripts/slurm/start-slurm.sh | grep '^SLURM_CONF=')"
export SLURM_CONF
dotnet build bench/cluster/SlurmBench/SlurmBench.csproj -c Release -v q -nologo >/dev/null
work=$(mktemp -d /tmp/cc-slurm-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "machine: $(nproc) cores; Slurm node: $(sinfo -h -N -o '%c CPUs, oversubscribe %h' | head -1)"
echo "one run-task process start (dotnet SlurmBench.dll, no task): $(bench/startup/median_ms.sh 5 dotnet bench/cluster/SlurmBench/bin/Release/net10.0/SlurmBench.dll)"
dotnet bench/cluster/SlurmBench/bin/Release/net10.0/SlurmBench.dll measure "$work" "$@"
