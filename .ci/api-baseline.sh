#!/usr/bin/env bash
# The api's semantic-versioning check: bnd-baseline-maven-plugin (bundles/api/pom.xml) compares the api bundle
# being built with a baseline build of it and fails the build when a package changed without the version bump
# OSGi semantic versioning asks for (a removed or changed method without a major bump, an added one without a
# minor bump). Roamer has no release in a public repository yet, so the baseline is the api as of a commit of
# this repository, installed into the local Maven repository as org.roamer:org.roamer.api:${BASELINE_VERSION}:
#
#   .ci/api-baseline.sh              builds the api at ${BASELINE_COMMIT} and installs it as the baseline
#   .ci/api-baseline.sh --self-test  also shows that the check bites: a copy of the current api with a method
#                                      removed from an exported interface must fail the baseline
#   .ci/api-baseline.sh --help
#
# Move BASELINE_COMMIT forward when a version of the api is released (the commit of the release).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BASELINE_COMMIT=${ROAMER_API_BASELINE_COMMIT:-14328c7a49a17d8e070c34b1479c042d87c65a32}
BASELINE_VERSION=0.0.1-baseline   # below 0.1.0-SNAPSHOT, the version the api plugin's range names
MVN=(mvn -B -q ${MAVEN_ARGS:-})

case "${1:-}" in
  -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  ""|--self-test) ;;
  *) echo "api-baseline.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "api-baseline: building the api as of ${BASELINE_COMMIT:0:12}"
git archive "$BASELINE_COMMIT" pom.xml bundles/api | tar -x -C "$work"
# the old api's own tests are not the point here; its jar is
"${MVN[@]}" -f "$work/bundles/api/pom.xml" package -DskipTests -Dbaseline.skip=true -Dspotless.check.skip=true
jar=$(ls "$work"/bundles/api/target/org.roamer.api-*.jar | grep -v -- '-sources\|-tests' | head -1)
"${MVN[@]}" install:install-file -Dfile="$jar" -DgroupId=org.roamer -DartifactId=org.roamer.api \
  -Dversion="$BASELINE_VERSION" -Dpackaging=jar -DgeneratePom=true
echo "api-baseline: installed org.roamer:org.roamer.api:$BASELINE_VERSION"

if [[ "${1:-}" == --self-test ]]; then
  echo "api-baseline: self-test: removing RoamerNetwork.nodes() from a copy of the current api"
  mkdir -p "$work/now"
  git ls-files -z pom.xml bundles/api | xargs -0 tar -c | tar -x -C "$work/now"
  f="$work/now/bundles/api/src/main/java/org/roamer/api/RoamerNetwork.java"
  grep -q 'List<NodeInfo> nodes();' "$f" || { echo "api-baseline: self-test: nodes() not found in $f" >&2; exit 1; }
  sed -i 's/List<NodeInfo> nodes();//' "$f"
  if "${MVN[@]}" -f "$work/now/bundles/api/pom.xml" verify -DskipTests -Dspotless.check.skip=true > "$work/self-test.log" 2>&1; then
    echo "api-baseline: self-test FAILED: a removed method passed the baseline" >&2
    exit 1
  fi
  if ! grep -q "Baseline problems detected" "$work/self-test.log"; then
    echo "api-baseline: self-test FAILED: the build failed for another reason:" >&2
    tail -30 "$work/self-test.log" >&2
    exit 1
  fi
  grep -m2 "Baseline problems\|PACKAGE    MAJOR" "$work/self-test.log" | sed 's/^/  /' || true
  echo "api-baseline: self-test passed: the removal was refused"
fi
