#!/usr/bin/env bash
# The measurement behind the broker store's design (docs/store.md): MVStore commits vs an append-only log, per group
# size. Usage: bench/store-choice.sh [N] [fsync]   (N operations, default 300000; ~1-3 min; files under target/)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-300000}
mode=${2:-}
jar=$(ls ~/.m2/repository/com/h2database/h2-mvstore/2.1.212/h2-mvstore-2.1.212.jar 2>/dev/null || true)
if [ -z "$jar" ]; then
  mvn -B -q dependency:get -Dartifact=com.h2database:h2-mvstore:2.1.212 >/dev/null
  jar=~/.m2/repository/com/h2database/h2-mvstore/2.1.212/h2-mvstore-2.1.212.jar
fi
mkdir -p target/store-choice
for b in 1 10 100 1000; do
  java -cp "$jar" bench/store-choice/StoreChoice.java target/store-choice "$n" "$b" $mode
done
