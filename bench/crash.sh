#!/usr/bin/env bash
# Issue 11's crash harness at bench scale: the black-box CrashTest with 50 kills (CI runs 5). The exported gateway is
# killed with SIGKILL after a random 1-4 s of QoS 1/2 load, started again on the same data directory, and every
# acknowledged message, reading, subscription and retained message is checked (see CrashTest's Javadoc).
# Usage: bench/crash.sh [kills=50] [-Dcrash.seed=N] [-Dcrash.kill=false] [-Dcrash.load.min.ms=..] [-Dcrash.load.max.ms=..]
#   env MVN_FLAGS    extra Maven flags, e.g. -Dmaven.repo.local=/path
# Prints the seed, one CRASH SUMMARY line and the failures; the full output (one line per kill and consumer, Maven's
# report) goes to bench/results/<date>-crash-raw.txt. Exit code: Maven's (0 = nothing acknowledged was lost).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kills=${1:-50}
[ $# -gt 0 ] && shift

jar=$root/run/target/gateway.jar
if [ ! -f "$jar" ] || [ -n "$(find "$root/bundles" "$root/run" "$root/features" "$root/tests/support" -newer "$jar" -type f \
      -not -path '*/target/*' -not -path '*/generated/*' -not -name '*.bndrun' -print -quit)" ]; then
  echo "== building the gateway (mvn install -DskipTests)"
  (cd "$root" && mvn -q -B install -DskipTests ${MVN_FLAGS:-}) || exit 1
fi

mkdir -p "$root/bench/results"
raw="$root/bench/results/$(date +%Y-%m-%d-%H%M)-crash-raw.txt"
echo "== CrashTest with $kills kills (~15-25 s per kill); output in $raw"
start=$(date +%s)
(cd "$root" && mvn -B ${MVN_FLAGS:-} -pl tests/blackbox test -Dtest=CrashTest -Dcrash.kills="$kills" "$@") \
  >"$raw" 2>&1
rc=$?
grep -E '^CRASH mode=' "$raw"
# Kills after which any consumer lost something: "CRASH kill N <consumer> ... lost=X" with X > 0.
lossy=$(grep -E '^CRASH kill [0-9]+ ' "$raw" | awk '{ for (i = 4; i <= NF; i++) if ($i ~ /^lost=[1-9]/) print $3 }' \
  | sort -u | wc -l)
echo "kills after which something acknowledged was missing: $lossy of $kills"
grep -E '^CRASH (SUMMARY|FAILURE [0-9])' "$raw" || echo "no CRASH SUMMARY line: the harness itself failed, see $raw"
echo "elapsed $(( $(date +%s) - start )) s, mvn exit code $rc"
exit $rc
