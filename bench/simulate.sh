#!/usr/bin/env bash
# The seed's Table 1 on the real core (simulator/): builds the simulator when its classes are missing, then runs
# it with the arguments given (bench/simulate.sh --help). JAVA_OPTS sets the heap (default -Xmx2g).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f simulator/target/roamer-simulator-0.1.0-SNAPSHOT.jar ] || [ ! -d simulator/target/lib ]; then
  echo "simulate.sh: building the simulator (mvn -B -q install -DskipTests -pl simulator -am) ..." >&2
  mvn -B -q install -DskipTests -pl simulator -am
fi
exec java ${JAVA_OPTS:--Xmx2g} -cp "simulator/target/roamer-simulator-0.1.0-SNAPSHOT.jar:simulator/target/lib/*" \
  org.roamer.simulator.Table1Main "$@"
