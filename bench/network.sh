#!/usr/bin/env bash
# Cross-container against same-container migration, re-runnable: starts the one-container distribution
# (./run.sh start) and a network of containers (./run.sh network start 3), then moves one mobile back and forth
# between c1 and c2 in each, in alternating blocks so both see the same machine, and prints the median and
# p90 of the LS's MIGRATE -> MIGRATE_DONE time for NAIVE; the same-container figure is the floor.
# Usage: bench/network.sh [moves per block] [blocks]      (default 50 x 4)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
per=${1:-50}
blocks=${2:-4}
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(uname -sr)"
./run.sh start >/dev/null
./run.sh network start 3 >/dev/null
trap './run.sh stop >/dev/null 2>&1 || true; ./run.sh network stop >/dev/null 2>&1 || true' EXIT
./run.sh client 'roamer:register bench-one c1' >/dev/null
./run.sh network client c1 'roamer:register bench-net c1' >/dev/null
moves() { # mobile: per moves alternating c2, c1
  local i cmds=()
  for (( i = 0; i < per; i++ )); do
    if (( i % 2 == 0 )); then cmds+=("roamer:move --strategy naive $1 c2"); else cmds+=("roamer:move --strategy naive $1 c1"); fi
  done
  printf '%s\n' "${cmds[@]}"
}
one=(); net=()
for (( b = 0; b < blocks; b++ )); do
  mapfile -t t < <(moves bench-one | ./run.sh client | sed -n 's/^time *\([0-9.]*\) ms.*/\1/p')
  one+=("${t[@]}")
  mapfile -t t < <(moves bench-net | ./run.sh network client c1 | sed -n 's/^time *\([0-9.]*\) ms.*/\1/p')
  net+=("${t[@]}")
done
stats() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {printf "n %d, p50 %.2f ms, p90 %.2f ms", NR, a[int((NR+1)/2)], a[int(NR*0.9)]}'; }
echo "same container (floor): $(stats "${one[@]}")"
echo "across containers:      $(stats "${net[@]}")"
p1=$(printf '%s\n' "${one[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
p2=$(printf '%s\n' "${net[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
awk -v a="$p1" -v b="$p2" 'BEGIN {printf "ratio of medians: %.2f (target <= 1.2)\n", b / a}'
