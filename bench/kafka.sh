#!/usr/bin/env bash
# Kafka sink throughput (issue 16): batches stored one after the other as the pipeline does, each acknowledged by a
# local single-node Kafka 4.4 (KRaft, child process) with acks=all.
# Usage: bench/kafka.sh [seconds=20] [batch=1000]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o install -DskipTests -pl bundles/api,bundles/broker-engine,tests/support,bundles/sink-kafka
cd bundles/sink-kafka
mvn -B -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-cp.txt -Dmdep.includeScope=test >/dev/null
java -cp "target/test-classes:target/classes:$(cat target/bench-cp.txt)" io.edgeport.sink.kafka.internal.KafkaSinkBenchmark "$@" 2>&1 | grep -v "^\s\|ProducerConfig\|INFO"
