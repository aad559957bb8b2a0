#!/usr/bin/env bash
# Cross-container against same-container migration, re-runnable. Starts a one-container distribution and a
# network of containers (ls1 + c1..c3), each its own copy made anew under target/bench-roamer and
# target/bench-network on ports of its own (a user's Roamer and network are left alone; stop your own
# one-container Roamer first: both use SSH 8101). Moves one mobile back and forth between c1 and c2 in each,
# in alternating blocks so both see the same machine, and prints the median and p90 of the LS's
# MIGRATE -> MIGRATE_DONE time for NAIVE, twice, with both sides configured alike:
#   - without checkpoints (the migration protocol alone), then
#   - with a checkpoint of every agent each second (checkpoint.interval.s = 1, as ./run.sh network ships):
#     the target then writes the arriving agent to disk (fsync) before READY, on every move.
# The same-container figure is the floor of each; the raw floor of the same run follows: a round trip of one
# 128-byte frame over loopback TCP within one JVM and between two JVMs (bench/probes/LoopbackPingPong.java).
# The directory is the third argument (memory, the default, or zookeeper: a 3-member ensemble; every move
# then also claims and writes the mobile's record, which the one container does not do).
# Usage: bench/network.sh [moves per block] [blocks] [memory|zookeeper]      (default 50 x 4, memory)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
per=${1:-50}
blocks=${2:-4}
directory=${3:-memory}
warmup=1000 # moves first: each JVM compiles (JIT) its own share of the path
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(uname -sr)"
export ROAMER_HOME="$PWD/target/bench-roamer"
export ROAMER_NETWORK_HOME="$PWD/target/bench-network" ROAMER_NETWORK_SSH=8410 ROAMER_NETWORK_PORT=7500
./run.sh stop >/dev/null 2>&1 || true
./run.sh network stop >/dev/null 2>&1 || true
trap './run.sh stop >/dev/null 2>&1 || true; ./run.sh network stop >/dev/null 2>&1 || true' EXIT
./run.sh --fresh start >/dev/null
./run.sh --fresh network start 3 --directory "$directory" >/dev/null
echo "network of containers: $(./run.sh network status | tail -1), directory $directory"

one() { ./run.sh client "$@"; }
net() { ./run.sh network client "$@"; }
checkpoints() { # SECONDS: the checkpoint interval of uss-c1 and uss-c2 in both (0: none)
  local c edit
  for c in c1 c2; do
    edit=("config:edit org.roamer.uss~$c" "config:property-set checkpoint.interval.s $1" 'config:update')
    one "${edit[@]}" >/dev/null
    net "$c" "${edit[@]}" >/dev/null
  done
  sleep 3 # the nodes take their new configuration
}
moves() { # MOBILE N: N moves alternating c2, c1
  local i
  for (( i = 0; i < $2; i++ )); do
    if (( i % 2 == 0 )); then echo "roamer:move --strategy naive $1 c2"; else echo "roamer:move --strategy naive $1 c1"; fi
  done
}
times() { sed -n 's/^time *\([0-9.]*\) ms.*/\1/p'; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
stats() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {printf "n %d, p50 %.2f ms, p90 %.2f ms", NR, a[int((NR+1)/2)], a[int(NR*0.9)]}'; }

one 'roamer:register bench-one c1' >/dev/null
net c1 'roamer:register bench-net c1' >/dev/null
for setting in 0 1; do
  checkpoints "$setting"
  moves bench-one "$warmup" | one >/dev/null
  moves bench-net "$warmup" | net c1 >/dev/null
  o=(); n=()
  for (( b = 0; b < blocks; b++ )); do
    mapfile -t t < <(moves bench-one "$per" | one | times); o+=("${t[@]}")
    mapfile -t t < <(moves bench-net "$per" | net c1 | times); n+=("${t[@]}")
  done
  if [ "$setting" = 0 ]; then echo "-- without checkpoints"; else echo "-- with checkpoints (each second, and before READY)"; fi
  echo "same container (floor): $(stats "${o[@]}")"
  echo "across containers:      $(stats "${n[@]}")"
  awk -v a="$(median "${o[@]}")" -v b="$(median "${n[@]}")" \
    'BEGIN {printf "ratio of medians:       %.2f (target <= 1.2)\n", b / a}'
done
port=$(( 17000 + RANDOM % 1000 ))
java bench/probes/LoopbackPingPong.java echo "$port" >/dev/null &
sleep 2
echo "-- raw floor, same run"
java bench/probes/LoopbackPingPong.java same 20000
java bench/probes/LoopbackPingPong.java ping "$port" 20000
# six hops through three nodes that hand each frame to their own thread, about one migration's chain
r=$(( port + 1 ))
java bench/probes/LoopbackPingPong.java relay $(( r + 1 )) $(( r + 2 )) >/dev/null &
java bench/probes/LoopbackPingPong.java relay $(( r + 2 )) "$r" >/dev/null &
sleep 2
java bench/probes/LoopbackPingPong.java ring-same 5000 | grep HOPS
java bench/probes/LoopbackPingPong.java ring "$r" $(( r + 1 )) 5000 | grep HOPS
kill $(jobs -p) 2>/dev/null || true
