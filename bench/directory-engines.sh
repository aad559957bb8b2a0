#!/usr/bin/env bash
# Directory figures and evidence of docs/directory.md, re-runnable:
#  1. Hazelcast 5.7.0 (open source) asked for TLS on its member links (bench/probes/HazelcastTlsProbe.java);
#  2. the ZooKeeper directory on a three-member ensemble with mutual TLS in one JVM (DirectoryBench): location
#     updates and reads with many and with one in flight, the in-memory directory as the floor of the code
#     path, and the heap per record; once with ZooKeeper's fsync per write (the default) and once without.
# Usage: bench/directory-engines.sh       (needs the reactor built once: mvn -B install -DskipTests)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(uname -sr)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mvn -B -q dependency:copy -Dartifact=com.hazelcast:hazelcast:5.7.0 -DoutputDirectory="$tmp" >/dev/null
echo "== Hazelcast 5.7.0 open source, member TLS"
timeout 180 java -cp "$tmp/hazelcast-5.7.0.jar" bench/probes/HazelcastTlsProbe.java 2>&1 | grep '^RESULT' || true
for sync in yes no; do
  echo "== ZooKeeper 3.9.5 directory, 3 members, mutual TLS, forceSync=$sync"
  mvn -B -o test -pl bundles/directory-zookeeper -Dtest=DirectoryBench -Dsurefire.failIfNoSpecifiedTests=false \
    -Droamer.bench=true -Dzookeeper.forceSync="$sync" 2>&1 | grep -E '^(machine|BENCH|MEMORY)'
done
