package io.edgeport.bench.loadgen;

import java.util.HashMap;
import java.util.Map;

/** {@code --key value} command-line options with defaults; an unknown key is an error. */
final class Options {

    static final String USAGE = """
            usage: java -cp ... io.edgeport.bench.loadgen.LoadGen --scenario fanin|fanout|latency|connections [options]
              --host 127.0.0.1 --port 1883      broker address
              --label NAME                      broker name in the RESULT line
              --broker-pid PID                  broker process for CPU and RSS (from /proc)
              --publishers 8 --subscribers 1    fanin: P publishers -> 1 subscriber; fanout: 1 -> S
              --qos 0|1 --window 64             QoS of publishers and subscription; QoS 1 messages in flight per publisher
              --rate 0                          total msg/s over all publishers, 0 = full speed
              --size 128                        payload bytes
              --warmup 5 --duration 10 --drain 5 seconds: not measured, measured, waiting for stragglers at the end
              --topic-prefix bench              topics PREFIX/bench/temperature/pNNNNN/reading, filter PREFIX/#
              --connections 5000 --concurrency 64 --hold 3 --warmup-connections 1000   connections scenario
              --threads 1                       Netty event-loop threads of the generator
              --persistent false                subscribers connect with clean session off (the broker stores)
            """;

    private final Map<String, String> values = new HashMap<>(Map.ofEntries(Map.entry("scenario", ""),
            Map.entry("host", "127.0.0.1"), Map.entry("port", "1883"), Map.entry("label", "broker"),
            Map.entry("broker-pid", ""), Map.entry("publishers", ""), Map.entry("subscribers", ""),
            Map.entry("qos", ""), Map.entry("window", "64"), Map.entry("rate", ""), Map.entry("size", "128"),
            Map.entry("warmup", "5"), Map.entry("duration", "10"), Map.entry("drain", "5"),
            Map.entry("topic-prefix", "bench"), Map.entry("connections", "5000"), Map.entry("concurrency", "64"),
            Map.entry("hold", "3"), Map.entry("warmup-connections", "1000"), Map.entry("threads", "1"),
            Map.entry("persistent", "false")));

    Options(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length || !values.containsKey(args[i].substring(2))) {
                throw new IllegalArgumentException("bad option " + args[i] + "\n" + USAGE);
            }
            values.put(args[i].substring(2), args[++i]);
        }
    }

    String str(String key) {
        return values.get(key);
    }

    int integer(String key, int dflt) {
        String v = values.get(key);
        return v.isEmpty() ? dflt : Integer.parseInt(v);
    }

    double number(String key, double dflt) {
        String v = values.get(key);
        return v.isEmpty() ? dflt : Double.parseDouble(v);
    }
}
