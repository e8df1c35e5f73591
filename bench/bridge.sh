#!/usr/bin/env bash
# Bridge throughput to a local Mosquitto 2.0 at QoS 1 (issue 16): catch-up of a backlog (what an outage leaves) and
# live sending while a producer writes into the message store.
# Usage: bench/bridge.sh [backlog=200000] [seconds=20]   (builds first; needs the Debian package mosquitto)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o install -DskipTests -pl bundles/commons,bundles/api,bundles/broker-engine,tests/support,bundles/bridge
cd bundles/bridge
mvn -B -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-cp.txt -Dmdep.includeScope=test >/dev/null
java -cp "target/test-classes:target/classes:$(cat target/bench-cp.txt)" io.edgeport.bridge.internal.BridgeBenchmark "$@"
