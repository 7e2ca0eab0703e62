#!/usr/bin/env bash
# Starts a single-node Slurm cluster on this machine for ChunkCompute's Slurm transport (tests, benchmarks, trying it
# out): munged, slurmctld and slurmd, all on 127.0.0.1, with their config, state, spool, logs and pids in one folder
# ($CHUNKCOMPUTE_SLURM_DIR, default /tmp/chunkcompute-slurm). Idempotent: when the cluster already answers it only
# prints its settings. Installs slurmctld, slurmd, slurm-client and munge with apt-get when missing (needs root).
# Prints "SLURM_CONF=<path>" (also in <dir>/env) and "started" or "running" as its last line.
# Stop it with scripts/slurm/stop-slurm.sh.
set -euo pipefail

dir=${CHUNKCOMPUTE_SLURM_DIR:-/tmp/chunkcompute-slurm}
ctld_port=${CHUNKCOMPUTE_SLURMCTLD_PORT:-16817}
slurmd_port=${CHUNKCOMPUTE_SLURMD_PORT:-16818}
conf=$dir/slurm.conf
export SLURM_CONF=$conf

answering() { [ -f "$conf" ] && timeout 5 sinfo -h -N -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; }

if command -v sbatch >/dev/null 2>&1 && answering; then
  echo "SLURM_CONF=$conf"
  echo "running"
  exit 0
fi

if ! command -v slurmctld >/dev/null 2>&1 || ! command -v slurmd >/dev/null 2>&1 || ! command -v sbatch >/dev/null 2>&1 \
   || ! command -v munged >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "start-slurm.sh: Slurm is not installed and this is not root: install slurmctld slurmd slurm-client munge" >&2
    exit 3
  fi
  echo "installing slurmctld, slurmd, slurm-client and munge" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null 2>&1; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
  fi
fi

# A previous start that no longer answers: stop what is left of it first.
"$(dirname "$0")/stop-slurm.sh" >/dev/null 2>&1 || true

mkdir -p "$dir" "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
# The folder must be reachable by everyone (job steps, munge clients); munge's socket folder must not be group- or
# world-writable.
chmod 755 "$dir" "$dir/munge"
if [ ! -s "$dir/munge/munge.key" ]; then
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
fi
chmod 400 "$dir/munge/munge.key"

cpus=$(nproc)
# The memory slurmd sees, less a little so a rounding difference never drains the node.
memory=$(slurmd -C 2>/dev/null | grep -oE 'RealMemory=[0-9]+' | cut -d= -f2 || true)
memory=${memory:-1024}
memory=$(( memory > 512 ? memory - 256 : memory ))

cat > "$conf" <<CONF
# Written by scripts/slurm/start-slurm.sh: a single-node cluster on 127.0.0.1 for ChunkCompute.
ClusterName=cc
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
CommunicationParameters=NoInAddrAny,NoCtldInAddrAny
MailProg=/bin/true
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket.2
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/builtin
SchedulerParameters=sched_min_interval=20000,sched_interval=1
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MinJobAge=120
KillWait=2
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=30
MaxArraySize=1001
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:2
CONF

munged --force --socket="$dir/munge/munge.socket.2" --key-file="$dir/munge/munge.key" \
  --log-file="$dir/log/munged.log" --pid-file="$dir/munge/munged.pid" --seed-file="$dir/munge/munged.seed"
for _ in $(seq 50); do [ -S "$dir/munge/munge.socket.2" ] && break; sleep 0.1; done

setsid nohup slurmctld -D -i -f "$conf" > "$dir/log/slurmctld.out" 2>&1 < /dev/null &
echo $! > "$dir/slurmctld.daemon.pid"
setsid nohup slurmd -D -N localhost -f "$conf" > "$dir/log/slurmd.out" 2>&1 < /dev/null &
echo $! > "$dir/slurmd.daemon.pid"

echo "SLURM_CONF=$conf" > "$dir/env"
for _ in $(seq 300); do
  if answering; then
    echo "SLURM_CONF=$conf"
    echo "started"
    exit 0
  fi
  # A node left down by an earlier run comes back at once.
  scontrol update nodename=localhost state=resume >/dev/null 2>&1 || true
  sleep 0.1
done
echo "start-slurm.sh: the node did not become idle in 30 s; logs in $dir/log:" >&2
tail -20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" "$dir/log/slurmctld.out" "$dir/log/slurmd.out" >&2 || true
exit 1
