#!/usr/bin/env bash
# The strategy archetype as a plug-in writer uses it: installs the api, the conformance kit and the archetype into
# the local Maven repository, generates a strategy project from nothing with mvn archetype:generate, and builds
# it: its bundle, and Roamer's conformance kit against its strategy. Fails when the generated project does not
# build, or its kit run is missing or not green.
#
#   .ci/archetype-check.sh          (MAVEN_ARGS, e.g. -o, is passed to every mvn)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
case "${1:-}" in
  -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) echo "archetype-check.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac

MVN=(mvn -B -q ${MAVEN_ARGS:-})
version=$(sed -n 's|^  <version>\(.*\)</version>|\1|p' pom.xml | head -1)
echo "archetype-check: installing the api, the kit and the archetype ($version)"
"${MVN[@]}" install -DskipTests -pl bundles/api,bundles/testkit,archetype -am

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
echo "archetype-check: mvn archetype:generate in $work"
"${MVN[@]}" org.apache.maven.plugins:maven-archetype-plugin:3.3.1:generate -DinteractiveMode=false \
  -DarchetypeGroupId=org.roamer -DarchetypeArtifactId=roamer-strategy-archetype -DarchetypeVersion="$version" \
  -DgroupId=com.example.roamer -DartifactId=hello-strategy -Dversion=1.0.0-SNAPSHOT \
  -Dpackage=com.example.roamer.hello -DstrategyName=hello -DstrategyClass=HelloStrategy -DroamerVersion="$version"
cd hello-strategy
echo "archetype-check: mvn verify in the generated project"
"${MVN[@]}" verify
report=target/surefire-reports/TEST-com.example.roamer.hello.internal.HelloStrategyConformanceTest.xml
[[ -f "$report" ]] || { echo "archetype-check: no conformance kit report ($report)" >&2; exit 1; }
summary=$(grep -o '<testsuite [^>]*' "$report" | grep -o 'tests="[0-9]*"\|failures="[0-9]*"\|errors="[0-9]*"\|skipped="[0-9]*"' | tr '\n' ' ')
echo "archetype-check: conformance kit: $summary"
tests=$(grep -o '<testsuite [^>]*' "$report" | sed 's/.*tests="\([0-9]*\)".*/\1/')
(( tests > 20 )) || { echo "archetype-check: only $tests kit checks ran" >&2; exit 1; }
unzip -p target/hello-strategy-1.0.0-SNAPSHOT.jar OSGI-INF/*.xml | grep -q 'roamer.strategy' \
  || { echo "archetype-check: the bundle has no DS component with roamer.strategy" >&2; exit 1; }
echo "archetype-check: passed"
