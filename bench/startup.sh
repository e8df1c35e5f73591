#!/usr/bin/env bash
# Measures time from `java -jar` to the first successful MQTT publish (CONNACK + PUBACK), and the resident memory
# once the gateway has been idle for 10 s (bench/mqtt_ready.py: one light poller, no mosquitto_pub loop). Loopback
# ports only.
# Usage: bench/startup.sh [runs] [extra java options...]   e.g. bench/startup.sh 3 -Xmx64m -XX:+UseSerialGC
#        JAR=run/target/broker.jar bench/startup.sh 3 ...    (the broker alone)
#        WARM=1 bench/startup.sh 3 ...   every run on the same data directory, made by one untimed start first (what
#                                        an appliance does at each boot); default: a fresh data directory each run
#        CDS=1 bench/startup.sh 3 ...    with an application class-data archive written by one untimed start first
#                                        (-XX:ArchiveClassesAtExit), as /usr/bin/edgeport does on an appliance
set -euo pipefail
runs=${1:-3}; shift || true
jar=$(realpath "${JAR:-$(cd "$(dirname "$0")/.." && pwd)/run/target/gateway.jar}")
[ -f "$jar" ] || { echo "build first: mvn -B -q install -DskipTests"; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# start DIR ARGS...: runs the jar in DIR until MQTT answers; sets pid, jpid, ready_ms, mqtt
start() {
  local dir=$1; shift
  mqtt=$(free_port); local http; http=$(free_port)
  local t0; t0=$(date +%s%N)
  (cd "$dir" && exec java "$@" -Dedgeport.broker.port="$mqtt" -Dorg.osgi.service.http.port="$http" -jar "$jar" >>"$dir/out.log" 2>&1) &
  pid=$!
  ready_ms=$("$(dirname "$0")/mqtt_ready.py" "$mqtt" "$t0" 60) || { echo "not ready:"; cat "$dir/out.log"; exit 1; }
  jpid=$(pgrep -f "port=$mqtt" | head -1)
}
stop() { kill -TERM "$jpid"; wait "$pid" 2>/dev/null || true; }

cds=(); mode="fresh data directory"
if [ -n "${WARM:-}" ] || [ -n "${CDS:-}" ]; then
  mkdir -p "$work/prep"
  prep=("$@")
  [ -n "${CDS:-}" ] && prep+=(-XX:ArchiveClassesAtExit="$work/app.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off)
  start "$work/prep" "${prep[@]}"; sleep 5; stop
  [ -n "${CDS:-}" ] && { [ -f "$work/app.jsa" ] || { echo "no archive written"; exit 1; }; cds=(-XX:SharedArchiveFile="$work/app.jsa"); }
  [ -n "${WARM:-}" ] && mode="same data directory"
fi
for i in $(seq 1 "$runs"); do
  if [ -n "${WARM:-}" ]; then dir="$work/prep"; else dir="$work/run$i"; mkdir -p "$dir"; fi
  start "$dir" "$@" "${cds[@]}"
  sleep 10
  rss_kb=$(awk '/VmRSS/ {print $2}' /proc/"$jpid"/status)
  echo "run $i: MQTT ready after ${ready_ms} ms; idle RSS $((rss_kb / 1024)) MB ($(basename "$jar"), $mode${CDS:+, CDS archive}, java $*)"
  stop
done
