#!/usr/bin/env bash
# End-to-end telemetry throughput (issue 4): MQTT PUBLISH (QoS 1) → committed row, into H2 and into PostgreSQL.
# Usage: bench/telemetry.sh [seconds=60] [publishers=4]   (builds the gateway first; needs PostgreSQL 15 binaries)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}; publishers=${2:-4}
mvn -B -q install -DskipTests
cd tests/blackbox
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/bench-cp.txt -Dmdep.includeScope=test >/dev/null
cp="target/test-classes:$(cat target/bench-cp.txt)"
for target in h2 postgresql; do
  java -cp "$cp" io.edgeport.blackbox.TelemetryBenchmark "$target" "$seconds" "$publishers"
done
