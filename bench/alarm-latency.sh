#!/usr/bin/env bash
# Issue 5: PUBLISH of a reading → its alarm on alerts/..., p50/p99, with a simulated fleet running in the gateway.
# Usage: bench/alarm-latency.sh [devices=1000] [seconds=60]   (builds the gateway first)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests
cd tests/blackbox
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/bench-cp.txt -Dmdep.includeScope=test >/dev/null
java -cp "target/test-classes:$(cat target/bench-cp.txt)" io.edgeport.blackbox.AlarmLatencyBenchmark "${1:-1000}" "${2:-60}"
