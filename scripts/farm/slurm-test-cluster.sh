#!/usr/bin/env bash
# A single-node Slurm cluster on loopback, for tests: scripts/farm/slurm-test-cluster.sh up|down DIR
#
# `up` writes DIR/slurm.conf, starts munged, slurmctld and slurmd as this user, and waits until the
# node takes jobs; it prints `export SLURM_CONF=DIR/slurm.conf` for the shell that submits. `down`
# stops them (by their pid files) and leaves DIR's logs.
#
# Pitfalls of this kind of machine, handled: no systemd (the daemons are started by hand); munged
# refuses a socket folder that is not 0755, so it gets its own (--socket, --key-file) and Slurm is
# pointed at it (AuthInfo=socket=...); cgroup v1 inside a VM (proctrack/linuxproc, task/none, no
# accounting gathering); readiness checks time out instead of hanging. slurmctld listens on every
# address, so run tests inside `unshare --net`, where name resolution needs a second loopback
# address (`ip link set lo up; ip addr add 127.0.0.2/8 dev lo`) - scripts/farm/e2e.sh does that.
set -euo pipefail
cmd=${1:?usage: slurm-test-cluster.sh up|down DIR}
dir=$(mkdir -p "${2:?usage: slurm-test-cluster.sh up|down DIR}" && cd "$2" && pwd)
user=$(id -un)
host=$(hostname -s)

stop() {
  for p in slurmd slurmctld munged; do
    if [ -f "$dir/$p.pid" ]; then
      pid=$(cat "$dir/$p.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      rm -f "$dir/$p.pid"
    fi
  done
}

case "$cmd" in
down) stop; echo "slurm-test-cluster: stopped"; exit 0 ;;
up) ;;
*) echo "usage: slurm-test-cluster.sh up|down DIR" >&2; exit 2 ;;
esac

stop
mkdir -p "$dir/munge" "$dir/state" "$dir/spool"
chmod 0755 "$dir" "$dir/munge"
if [ ! -f "$dir/munge.key" ]; then
  dd if=/dev/urandom of="$dir/munge.key" bs=1 count=1024 status=none
fi
chmod 0400 "$dir/munge.key"
munged --force --socket "$dir/munge/munge.socket" --key-file "$dir/munge.key" \
  --pid-file "$dir/munged.pid" --log-file "$dir/munged.log" --seed-file "$dir/munge.seed"

cpus=$(nproc)
mem=$(awk '/MemTotal/ {print int($2 / 1024 / 2)}' /proc/meminfo)
cat > "$dir/slurm.conf" <<CONF
ClusterName=rackfocus-test
SlurmctldHost=$host
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ReturnToService=2
MinJobAge=600
MaxArraySize=100001
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=rackfocus Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$dir/slurm.conf
slurmctld -f "$dir/slurm.conf" -i
slurmd -f "$dir/slurm.conf"
for _ in $(seq 1 100); do
  state=$(timeout 2 sinfo -h -o %T 2>/dev/null | head -1 || true)
  case "$state" in idle*|mix*|alloc*) echo "slurm-test-cluster: up ($host, $cpus CPUs)"; echo "export SLURM_CONF=$dir/slurm.conf"; exit 0 ;; esac
  sleep 0.2
done
echo "slurm-test-cluster: the node did not come up; see $dir/slurmctld.log and $dir/slurmd.log" >&2
stop
exit 1
