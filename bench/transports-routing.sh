#!/usr/bin/env bash
# Transport and routing figures of issue 6, re-runnable: starts the distribution (./run.sh start), runs
# roamer:bench over TCP and UDP (loss-free and with 5 % loss / 2 % duplication injected), anchored crossings,
# and timed roamer:routing / roamer:transport switches, then stops it. Prints the BENCH lines and a summary.
# Then, in the same run, the floors: each transport alone and a raw loopback ping-pong of the same frames
# (TcpRoundTripBench, UdpRoundTripBench, from the modules' test classes).
# Usage: bench/transports-routing.sh [count]     (default 3000 NAIVE migrations per run)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
count=${1:-3000}
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(uname -sr)"
./run.sh stop >/dev/null 2>&1 || true
./run.sh start
trap './run.sh stop >/dev/null 2>&1 || true' EXIT
c() { ./run.sh client "$@"; }
bench() { c "roamer:bench $*" | grep '^BENCH' | tail -1; }
out=()
c 'roamer:transport --all tcp' 'roamer:routing --all migrate' >/dev/null
out+=("tcp   naive        $(bench --strategy naive --count "$count")")
out+=("tcp   condor 1m    $(bench --strategy condor --size 1m --count 50)")
c 'roamer:transport --all udp' >/dev/null
out+=("udp   naive        $(bench --strategy naive --count "$count")")
out+=("udp   condor 1m    $(bench --strategy condor --size 1m --count 50)")
c 'config:edit org.roamer.transport.udp' 'config:property-set fault.loss.percent 5' \
  'config:property-set fault.duplication.percent 2' 'config:update' >/dev/null
sleep 1
out+=("udp5% naive        $(bench --strategy naive --count "$count")")
c 'config:edit org.roamer.transport.udp' 'config:property-set fault.loss.percent 0' \
  'config:property-set fault.duplication.percent 0' 'config:update' 'roamer:transport --all tcp' >/dev/null
c 'feature:install -r roamer-routing-anchored' >/dev/null
c 'roamer:routing --all anchored' >/dev/null
out+=("tcp   anchored     $(bench --strategy naive --count "$count")")
c 'roamer:routing --all migrate' >/dev/null
printf '%s\n' "${out[@]}"
echo "switches (each line: the command's own time until the node applied it and the LS knew):"
for i in 1 2 3 4 5 6 7 8 9 10; do
  c 'roamer:routing uss-c1 anchored' 'roamer:routing uss-c1 migrate' 'roamer:transport uss-c1 udp' 'roamer:transport uss-c1 tcp'
done | grep -o 'now [a-z ]* ([0-9.]* ms)' | sort | awk '{gsub(/[()]/,"",$0); print}' \
  | awk '{k=$2" "$3" "$4; v[k]=v[k]" "$(NF-1)} END {for (k in v) print k":"v[k]}'
./run.sh stop >/dev/null 2>&1 || true
trap - EXIT
echo "floors (transports alone, 64 B frames; the UDP bench also pings a raw DatagramChannel):"
mvn -q -o -pl bundles/api,bundles/transport-tcp,bundles/transport-udp install -DskipTests
for m in tcp udp; do
  (cd "bundles/transport-$m" && mvn -q -o dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test \
    && java -cp "target/classes:target/test-classes:$(cat target/cp.txt)" \
       "org.roamer.transport.$m.internal.$( [ $m = tcp ] && echo Tcp || echo Udp )RoundTripBench" 50000 200000) \
    | grep -iE 'round trip|floor|raw|bench:' || true
done
