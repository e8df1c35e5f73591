#!/usr/bin/env bash
# Issue 5: PUBLISH of a reading → its alarm on alerts/..., p50/p99, with a simulated fleet running in the gateway.
# Usage: bench/alarm-latency.sh [devices=1000] [seconds=60] [inprocess|separate]   (builds the gateway first)
#   separate: the simulated fleet runs in a second gateway process, as real devices are not in the gateway's JVM.
#   GATEWAY_JVM="default" runs the gateway with no JVM options (as the README starts it); other values are passed
#   as its options; unset: the black-box tests' -Xmx256m -XX:+UseSerialGC.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests
cd tests/blackbox
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/bench-cp.txt -Dmdep.includeScope=test >/dev/null
java -Dgateway.jvm="${GATEWAY_JVM:-}" -cp "target/test-classes:$(cat target/bench-cp.txt)" \
    io.edgeport.blackbox.AlarmLatencyBenchmark "${1:-1000}" "${2:-60}" "${3:-inprocess}"
