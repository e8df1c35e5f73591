#!/usr/bin/env bash
# Issue 13: the exported gateway against seeded MQTT fuzzers (1-5 mutated packets per connection).
# Usage: bench/fuzz.sh [packets=1000000] [threads=4]   (builds the gateway first; prints connections/s, log growth, RSS)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests
cd tests/blackbox
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/bench-cp.txt -Dmdep.includeScope=test >/dev/null
java -cp "target/test-classes:$(cat target/bench-cp.txt)" io.edgeport.blackbox.FuzzBenchmark "${1:-1000000}" "${2:-4}"
