#!/usr/bin/env bash
# Side-by-side MQTT benchmark (issue 6): Mosquitto 2.0.11, bare Moquette 0.17, the Edgeport gateway, and the
# Edgeport gateway with its telemetry sink storing every message. Each broker is started fresh for every scenario,
# pinned to CPU 1; the load generator (bench/loadgen) runs on CPU 0. Brokers alternate within a repetition.
# Loopback only; every process started here is stopped on exit.
#
# usage: bench/run.sh [--quick] [--reps N] [--warmup S] [--scenarios "fanin-q0 ..."] [--brokers "mosquitto ..."]
#   --quick      1 repetition, 2 s warm-up, 4 s measured (development only: the Java brokers are still compiling)
#   --warmup S   seconds of load before the measured window (default 25: on one core the JVM's C2 compiler still
#                takes a third of the CPU 10-18 s into the load, ~10 % after 30 s; Mosquitto needs none)
#   env MVN_FLAGS    extra Maven flags, e.g. -Dmaven.repo.local=/path
#   env BROKER_JAVA_OPTS  JVM options for the Java brokers (default: none, i.e. JVM defaults)
# Output: the Markdown table on stdout and in bench/results/<date>.md; raw RESULT lines in bench/results/<date>-raw.txt.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bench=$root/bench
reps=3 warmup=25 duration=10 drain=20
scenarios="fanin-q0 fanin-q1 fanin-paced fanout latency connections"
brokers="mosquitto moquette edgeport-broker edgeport edgeport-full"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) reps=1 warmup=2 duration=4 drain=5 ;;
    --reps) reps=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --scenarios) scenarios=$2; shift ;;
    --brokers) brokers=$2; shift ;;
    -h|--help) sed -n 2,12p "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ "$(nproc)" -ge 2 ] || { echo "needs 2 CPUs (broker on CPU 1, generator on CPU 0)" >&2; exit 1; }
command -v mosquitto >/dev/null || PATH=$PATH:/usr/sbin
command -v mosquitto >/dev/null || { echo "mosquitto not found (apt-get install mosquitto)" >&2; exit 1; }

work=$(mktemp -d /tmp/edgeport-bench.XXXXXX)
broker_pid=""
cleanup() {
  stop_broker
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build what is needed -------------------------------------------------------------------------------------------
jar=$root/run/target/gateway.jar
if [ ! -f "$jar" ] || [ ! -f "$root/run/target/broker.jar" ] || [ -n "$(find "$root/bundles" "$root/run" "$root/features" -newer "$jar" -type f \
      -not -path '*/target/*' -not -path '*/generated/*' -not -name '*.bndrun' -print -quit)" ]; then
  echo "== building the gateway (mvn install -DskipTests)"
  (cd "$root" && mvn -q -B install -DskipTests ${MVN_FLAGS:-})
fi
echo "== building the load generator"
(cd "$root" && mvn -q -B package -pl bench/loadgen ${MVN_FLAGS:-})
cp="$bench/loadgen/target/classes:$(cat "$bench/loadgen/target/classpath.txt")"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_port() { # pid port seconds
  local i
  for i in $(seq 1 $(( $3 * 20 ))); do
    kill -0 "$1" 2>/dev/null || return 1
    (exec 3<>/dev/tcp/127.0.0.1/"$2") 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

# start_broker NAME DIR PORT: sets broker_pid; the broker's output (first 2 MB) goes to DIR/broker.log
start_broker() {
  local name=$1 dir=$2 port=$3 http i
  mkdir -p "$dir"
  case "$name" in
    mosquitto)
      cat >"$dir/mosquitto.conf" <<EOF
listener $port 127.0.0.1
allow_anonymous true
persistence false
# 0 = no limit: Mosquitto otherwise drops QoS 1 messages it has already acknowledged once a queue passes 1000.
max_queued_messages 0
# Moquette (Netty) and Edgeport set TCP_NODELAY; without it Nagle + delayed ACKs add up to 40 ms per QoS 1 round trip.
set_tcp_nodelay true
log_dest stdout
EOF
      taskset -c 1 mosquitto -c "$dir/mosquitto.conf" > >(stdbuf -o0 head -c 2000000 >"$dir/broker.log") 2>&1 &
      broker_pid=$!
      wait_port "$broker_pid" "$port" 10 ;;
    moquette)
      mkdir -p "$dir/config"
      cat >"$dir/config/moquette.conf" <<EOF
port $port
host 127.0.0.1
allow_anonymous true
allow_zero_byte_client_id true
persistence_enabled false
telemetry_enabled false
EOF
      # io.moquette.broker.Server's own main reads \$moquette.path/config/moquette.conf
      taskset -c 1 java ${BROKER_JAVA_OPTS:-} -Dmoquette.path="$dir" -cp "$cp" io.moquette.broker.Server \
        > >(stdbuf -o0 head -c 2000000 >"$dir/broker.log") 2>&1 &
      broker_pid=$!
      wait_port "$broker_pid" "$port" 60 ;;
    edgeport|edgeport-full|edgeport-broker|edgeport-broker-fsync|baseline)
      http=$(free_port)
      exe=$jar
      extra=""
      case "$broker" in
        edgeport-broker) exe=$root/run/target/broker.jar ;;
        edgeport-broker-fsync) exe=$root/run/target/broker.jar; extra=-Dedgeport.broker.persistence_sync=fsync ;;
        baseline) exe=${BASELINE_JAR:?set BASELINE_JAR to the broker.jar to compare with} ;;
      esac
      (cd "$dir" && exec taskset -c 1 java ${BROKER_JAVA_OPTS:-} $extra -Dedgeport.broker.port="$port" \
        -Dorg.osgi.service.http.port="$http" -jar "$exe") > >(stdbuf -o0 head -c 2000000 >"$dir/broker.log") 2>&1 &
      broker_pid=$!
      for i in $(seq 1 1200); do
        grep -q '^Edgeport ready' "$dir/broker.log" 2>/dev/null && return 0
        kill -0 "$broker_pid" 2>/dev/null || return 1
        sleep 0.05
      done
      return 1 ;;
  esac
}

stop_broker() {
  [ -n "$broker_pid" ] || return 0
  kill -TERM "$broker_pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$broker_pid" 2>/dev/null || break; sleep 0.05; done
  kill -KILL "$broker_pid" 2>/dev/null || true
  wait "$broker_pid" 2>/dev/null || true
  broker_pid=""
}

scenario_args() {
  case "$1" in
    fanin-q0) echo "--scenario fanin --publishers 8 --qos 0" ;;
    fanin-q1) echo "--scenario fanin --publishers 8 --qos 1 --window 64" ;;
    fanin-q1p) echo "--scenario fanin --publishers 8 --qos 1 --window 64 --persistent true" ;;
    fanin-paced) echo "--scenario fanin --publishers 8 --qos 0 --rate 20000" ;;
    fanout) echo "--scenario fanout --subscribers 50 --qos 0" ;;
    latency) echo "--scenario latency --qos 1 --rate 2000" ;;
    connections) echo "--scenario connections --connections 5000 --concurrency 64 --hold 3 --warmup-connections 5000" ;;
    *) echo "unknown scenario $1" >&2; return 1 ;;
  esac
}

mkdir -p "$bench/results"
stamp=$(date -u +%Y-%m-%d-%H%M)
raw=$bench/results/$stamp-raw.txt
out=$bench/results/$stamp.md
notes=$work/notes.txt
: >"$raw"; : >"$notes"
started=$(date +%s)
load_before=$(cut -d" " -f1-3 /proc/loadavg)
echo "== $reps repetition(s) of [$scenarios] on [$brokers]; warm-up ${warmup}s, measured ${duration}s"
for rep in $(seq 1 "$reps"); do
  for scenario in $scenarios; do
    for broker in $brokers; do
      dir=$work/$rep-$scenario-$broker
      port=$(free_port)
      if ! start_broker "$broker" "$dir" "$port"; then
        echo "!! $broker did not start for $scenario; log:" >&2; tail -20 "$dir/broker.log" >&2 || true
        stop_broker; continue
      fi
      prefix=bench
      [ "$broker" = edgeport-full ] && prefix=sensors   # the default JDBC sink subscribes to sensors/#
      # shellcheck disable=SC2046
      line=$(timeout 180 taskset -c 0 java -XX:+UseParallelGC -cp "$cp" io.edgeport.bench.loadgen.LoadGen \
               $(scenario_args "$scenario") --port "$port" --broker-pid "$broker_pid" --label "$broker" \
               --topic-prefix "$prefix" --warmup "$warmup" --duration "$duration" --drain "$drain" 2>"$dir/loadgen.err" \
             | grep '^RESULT' || true)
      if [ -z "$line" ]; then
        line="RESULT scenario=$scenario broker=$broker error=loadgen"; tail -5 "$dir/loadgen.err" >&2
      fi
      echo "$line rep=$rep name=$scenario" | tee -a "$raw"
      if [ "$broker" != mosquitto ]; then  # what the broker logged at WARN/ERROR (first lines, counted by kind)
        grep -E ' (WARN|ERROR) ' "$dir/broker.log" 2>/dev/null | sed -E 's/^[^A-Z]*(WARN|ERROR)/\1/; s/[0-9]+/N/g' \
          | sort | uniq -c | sort -rn | head -5 | sed "s|^|$broker $scenario: |" >>"$notes" || true
      fi
      stop_broker
    done
  done
done
elapsed=$(( $(date +%s) - started ))

{
  echo "# Edgeport benchmark $stamp"
  echo
  echo "\`bench/run.sh $*\` — $reps repetition(s), warm-up ${warmup} s, measured ${duration} s; $(nproc) CPUs" \
       "($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load average before the run" \
       "$load_before; took ${elapsed} s. Brokers on CPU 1, generator on CPU 0. Cells: median [min–max];" \
       "× Mosq. = median / Mosquitto's median. \"not delivered\" counts what had not arrived when the stream went" \
       "quiet after the publishers stopped (at most ${drain} s). Read bench/README.md before quoting a figure."
  echo
  python3 "$bench/report.py" "$raw"
  if [ -s "$notes" ]; then
    echo
    echo "Broker log lines at WARN/ERROR, summed over the repetitions (only the first 2 MB of each log are kept, so"
    echo "counts of ~15,000 per run are that cap, not the total):"
    echo
    python3 "$bench/notes.py" "$notes"
  fi
} >"$out"
cat "$out"
echo
echo "written to $out (raw lines: $raw)"
