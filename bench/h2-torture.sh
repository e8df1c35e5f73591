#!/usr/bin/env bash
# H2 under SIGKILL right after commits (bench/h2-torture/H2Tort.java explains the settings and the 2026-12-04 figures).
# Usage: [READER=1] [CP=CHECKPOINT] [URLX=";REUSE_SPACE=FALSE"] bench/h2-torture.sh [kills=20]
set -euo pipefail
cd "$(dirname "$0")/.."
jar=~/.m2/repository/com/h2database/h2/2.5.252/h2-2.5.252.jar
[ -f "$jar" ] || mvn -B -q dependency:get -Dartifact=com.h2database:h2:2.5.252 >/dev/null
rm -rf target/h2-torture target/h2-torture-classes && mkdir -p target/h2-torture target/h2-torture-classes
javac -d target/h2-torture-classes -cp "$jar" bench/h2-torture/H2Tort.java
java -cp "$jar:target/h2-torture-classes" H2Tort "${1:-20}"
