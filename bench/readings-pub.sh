#!/usr/bin/env bash
# Issue 12: storing at the devices' pace. 8 mosquitto_pub -l processes publish N seed-format readings each at QoS 1 on
# sensors/lab/temperature/pK/reading, first into Mosquitto 2 (the devices' own pace), then into the default gateway
# (every reading stored in the embedded H2 database by the default sink, and seen by the alerting engine).
# Prints: the publishers' rate into each broker, and for the gateway the time until every reading was a row.
# Usage: bench/readings-pub.sh [readings per publisher=50000] [publishers=8]   (build first: mvn -B -q install -DskipTests)
#        WARMUP=1 bench/readings-pub.sh ...   the gateway first takes the same load once (other device ids) and stores
#        it, then the measured run: the steady state of a gateway that runs for months (the JIT compiler otherwise
#        takes a third of a core during the first 20-30 s), as bench/run.sh measures after its warm-up
set -euo pipefail
n=${1:-50000}; pubs=${2:-8}
root=$(cd "$(dirname "$0")/.." && pwd)
jar=$root/run/target/gateway.jar
[ -f "$jar" ] || { echo "build first: mvn -B -q install -DskipTests"; exit 1; }
work=$(mktemp -d -p "${TMPDIR:-/tmp}" edgeport-readings.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

for k in $(seq 1 "$pubs"); do
  for prefix in p w; do
    python3 - "$n" "$k" "$prefix" > "$work/$prefix$k.txt" <<'PY'
import sys
n, k, prefix = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
for i in range(n):
    print('{"device_id":"%s%d","measurement":"temperature","value":%.1f,"unit":"°C","timestamp":"2026-12-04T10:%02d:%02d.%03dZ","seq":%d}'
          % (prefix, k, 20 + (i % 50) / 10, (i // 60000) % 60, (i // 1000) % 60, i % 1000, i))
PY
  done
done
total=$((n * pubs))

# Runs the publishers against port $1 (devices p1..pN, or w1..wN with $2 = w), prints the wall time in ms
publish() {
  local port=$1 prefix=${2:-p} start
  start=$(date +%s%N)
  local ps=()
  for k in $(seq 1 "$pubs"); do
    timeout 600 mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -i "bench-$prefix$k" \
      -t "sensors/lab/temperature/$prefix$k/reading" -l < "$work/$prefix$k.txt" &
    ps+=($!)
  done
  for p in "${ps[@]}"; do wait "$p"; done
  echo $(( ($(date +%s%N) - start) / 1000000 ))
}

# Mosquitto: listener on loopback, no persistence, as the issue measured it
mport=$(free_port)
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$mport" > "$work/mosquitto.conf"
mosquitto -c "$work/mosquitto.conf" > "$work/mosquitto.log" 2>&1 &
pids+=($!)
until mosquitto_pub -h 127.0.0.1 -p "$mport" -q 1 -t bench/ready -m x 2>/dev/null; do sleep 0.05; done
ms=$(publish "$mport")
echo "mosquitto 2: $total readings published at QoS 1 in $ms ms = $((total * 1000 / ms)) msg/s"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true; pids=()

# The gateway on its defaults (persistence on, default H2 sink, alerting), fresh data directory
gport=$(free_port); hport=$(free_port)
mkdir "$work/gw"
(cd "$work/gw" && exec java -Dedgeport.broker.port="$gport" -Dorg.osgi.service.http.port="$hport" -jar "$jar" \
  > "$work/gw/out.log" 2>&1) &
pids+=($!)
until grep -q "Edgeport ready" "$work/gw/out.log" 2>/dev/null; do sleep 0.1; done
pw=$(cat "$work/gw/data/console-password")
rows() {  # every row of the default sink (stats.json: a COUNT, no table scan)
  curl -s -u "admin:$pw" "http://127.0.0.1:$hport/system/console/telemetry/stats.json" \
    | python3 -c 'import sys,json; print(json.load(sys.stdin)["rows"])' 2>/dev/null || echo 0
}
base=0
if [ "${WARMUP:-0}" = 1 ]; then
  ms=$(publish "$gport" w)
  while [ "$(rows)" -lt "$total" ]; do sleep 0.5; done
  echo "edgeport:    warm-up: $total readings published in $ms ms and stored"
  base=$total
fi
start=$(date +%s%N)
ms=$(publish "$gport")
echo "edgeport:    $total readings published at QoS 1 in $ms ms = $((total * 1000 / ms)) msg/s"
while [ "$(( $(rows) - base ))" -lt "$total" ]; do
  sleep 0.2
  [ $(( ($(date +%s%N) - start) / 1000000000 )) -lt 600 ] || { echo "not all stored after 600 s: $(rows)"; exit 1; }
done
stored_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "edgeport:    all $(( $(rows) - base )) readings stored in H2 $stored_ms ms after the first publish = $((total * 1000 / stored_ms)) readings/s end to end"
grep -E "WARN|ERROR" "$work/gw/out.log" | grep -v "console-password\|admin password" | head -5 || true
