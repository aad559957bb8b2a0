#!/usr/bin/env bash
# The tls transport's figures beside floors of the same run (bundles/transport-tls TlsRoundTripBench): round trip
# from an application thread vs the same frame over a blocking plain socket and a blocking JDK TLS 1.3 socket,
# the cost of a new link vs a bare JDK handshake, one-way throughput. Re-runnable.
# Usage: bench/tls.sh [round trips] [frames]      (default 50000 500000)
#        bench/tls.sh --tickets [count]            what a migration ticket costs (TicketCostBench, default 20000)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(uname -sr)"
mvn -q -o -pl bundles/api,bundles/transport-tls install -DskipTests
cd bundles/transport-tls
mvn -q -o dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
mvn -q -o test-compile
if [ "${1:-}" = --tickets ]; then
  exec java -cp "target/classes:target/test-classes:$(cat target/cp.txt)" org.roamer.transport.tls.internal.TicketCostBench \
    "${2:-20000}"
fi
java -cp "target/classes:target/test-classes:$(cat target/cp.txt)" org.roamer.transport.tls.internal.TlsRoundTripBench \
  "${1:-50000}" "${2:-500000}"
