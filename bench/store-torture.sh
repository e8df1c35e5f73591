#!/usr/bin/env bash
# The broker store under kill -9 at random moments, checkpoints included (StoreTorture): every message the killed
# process reported durable must be in the store after it reopens, and the store log must be complete.
# Usage: bench/store-torture.sh [kills=20]   (files under target/torture; ~2 s per kill)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f bench/loadgen/target/classpath.txt ] || mvn -B -q install -DskipTests -pl bench/loadgen -am
rm -rf target/torture
java -cp "bench/loadgen/target/classes:$(cat bench/loadgen/target/classpath.txt)" \
  io.edgeport.bench.loadgen.StoreTorture "${1:-20}" target/torture
