#!/usr/bin/env bash
# Measures time from `java -jar` to the first successful MQTT publish (CONNACK + PUBACK), and the resident memory
# once the gateway has been idle for 10 s. Fresh data directory each run; loopback ports only.
# Usage: bench/startup.sh [runs] [extra java options...]   e.g. bench/startup.sh 3 -Xmx64m -XX:+UseSerialGC
#        JAR=run/target/broker.jar bench/startup.sh 3 ...    (the broker alone)
set -euo pipefail
runs=${1:-3}; shift || true
jar=$(realpath "${JAR:-$(cd "$(dirname "$0")/.." && pwd)/run/target/gateway.jar}")
[ -f "$jar" ] || { echo "build first: mvn -B -q install -DskipTests"; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
for i in $(seq 1 "$runs"); do
  dir=$(mktemp -d); mqtt=$(free_port); http=$(free_port)
  start=$(date +%s%N)
  (cd "$dir" && exec java "$@" -Dedgeport.broker.port="$mqtt" -Dorg.osgi.service.http.port="$http" -jar "$jar" >"$dir/out.log" 2>&1) &
  pid=$!
  until mosquitto_pub -h 127.0.0.1 -p "$mqtt" -q 1 -t bench/ready -m x 2>/dev/null; do
    sleep 0.01
    kill -0 $pid 2>/dev/null || { echo "gateway died:"; cat "$dir/out.log"; exit 1; }
  done
  ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  jpid=$(pgrep -f "port=$mqtt" | head -1)
  sleep 10
  rss_kb=$(awk '/VmRSS/ {print $2}' /proc/"$jpid"/status)
  echo "run $i: MQTT ready after ${ready_ms} ms; idle RSS $((rss_kb / 1024)) MB ($(basename "$jar"), java $*)"
  kill -TERM "$jpid"; wait $pid 2>/dev/null || true; rm -rf "$dir"
done
