#!/usr/bin/env bash
# Recovery time of the broker store after kill -9 (docs/store.md): N queued messages (default 1,000,000) for 10
# offline persistent sessions, with the broker's checkpoints (every 8 MB of log) and without any (everything in the
# log: the worst case). Files under target/recovery. ~1 min.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
[ -f bench/loadgen/target/classpath.txt ] || mvn -B -q install -DskipTests -pl bench/loadgen -am
cp="bench/loadgen/target/classes:$(cat bench/loadgen/target/classpath.txt)"
for checkpoints in true false; do
  dir=target/recovery/cp-$checkpoints
  rm -rf "$dir"
  echo "== $n messages, checkpoints=$checkpoints"
  java -Xmx1g -cp "$cp" io.edgeport.bench.loadgen.StoreRecovery fill "$dir" "$n" 10 "$checkpoints"
  java -Xmx1g -cp "$cp" io.edgeport.bench.loadgen.StoreRecovery open "$dir"
done
