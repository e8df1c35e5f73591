package io.edgeport.alerting.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.edgeport.api.alerting.Transition;
import io.edgeport.api.telemetry.Reading;

/**
 * Not a test: rule evaluation throughput and in-process reading→notifier latency.
 *
 * <pre>
 * mvn -q -pl bundles/alerting test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp bundles/alerting/target/test-classes:bundles/alerting/target/classes:$(cat /tmp/cp.txt) \
 *   io.edgeport.alerting.internal.AlertingBenchmark [devices=1000] [seconds=10] [outlierRate=0.001]
 * </pre>
 *
 * 1,000 devices × 3 measurements (time stamps 1 s apart per device and measurement, as from the simulator), the five default rules plus a rate rule, batches of 1,000 readings (what the
 * pipeline hands over under load) into an H2 file. Outliers (80 °C) at the given rate raise alarms, the next normal
 * reading clears them, so the database sees transitions all the time. Latency: from handing a batch that raises an
 * alarm to the engine until an anonymous notifier receives that RAISED event (evaluation + commit + dispatch; no
 * broker hops).
 */
public final class AlertingBenchmark {

    /** The rules the alerting feature ships (features/alerting.json). */
    static final List<Map<String, Object>> RULES = List.of(
            Map.of("name", "temperature", "type", "threshold", "measurement", "temperature", "min", "-10", "max",
                    "50", "hysteresis", 1.0, "severity", "major"),
            Map.of("name", "humidity", "type", "threshold", "measurement", "humidity", "min", "0", "max", "100",
                    "hysteresis", 2.0, "severity", "minor"),
            Map.of("name", "pressure", "type", "threshold", "measurement", "pressure", "min", "800", "max", "1200",
                    "hysteresis", 5.0, "severity", "minor"),
            Map.of("name", "offline", "type", "offline", "severity", "major"),
            Map.of("name", "stale", "type", "stale", "stale.seconds", 300L, "severity", "warning"));

    public static void main(String[] args) throws Exception {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        double outliers = args.length > 2 ? Double.parseDouble(args[2]) : 0.001;
        Path dir = Files.createTempDirectory("alerting-bench");
        AlarmEngine engine = new AlarmEngine(AlarmStore.open("jdbc:h2:file:" + dir.resolve("alerting")),
                Clock.systemUTC());
        for (Map<String, Object> r : RULES) {
            Object[] kv = r.entrySet().stream().flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue()))
                    .toArray();
            engine.putRule(Fixtures.rule(kv));
        }
        engine.putRule(Fixtures.rule("name", "rate", "type", "rate", "measurement", "temperature", "rate.limit",
                100.0));
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicLong measuring = new AtomicLong();
        NotifierDispatcher d = new NotifierDispatcher(null, "bench", e -> {
            if (e.transition() == Transition.RAISED) {
                Long t0 = sentAt.remove(e.alarm().device() + "/" + e.alarm().measurement());
                if (t0 != null && measuring.get() == 1) {
                    latencies.add(System.nanoTime() - t0);
                }
            }
        }, engine.store(), 1000).start();
        engine.onEvents(d::offer);

        String[] types = { "temperature", "humidity", "pressure" };
        double[] normal = { 21, 45, 1013 };
        SplittableRandom rnd = new SplittableRandom(1);
        long seq = 0;
        long[] perSeries = new long[devices * 3];
        Instant base = Instant.now();
        long total = 0;
        long start = 0;
        long warmupEnd = System.nanoTime() + 8_000_000_000L;
        long end = Long.MAX_VALUE;
        List<Reading> batch = new ArrayList<>(1000);
        while (System.nanoTime() < end) {
            batch.clear();
            List<String> outlierKeys = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                int dev = rnd.nextInt(devices);
                int t = rnd.nextInt(3);
                boolean out = rnd.nextDouble() < outliers;
                double v = out ? (t == 0 ? 80 : t == 1 ? 120 : 1500) : normal[t] + rnd.nextDouble() - 0.5;
                String id = "dev-" + dev;
                batch.add(new Reading("sensors/b/" + types[t] + "/" + id + "/reading", id, "b", types[t], v, "",
                        base.plusSeconds(perSeries[dev * 3 + t]++), seq++)); // 1 reading/s per series
                if (out) {
                    outlierKeys.add(id + "/" + types[t]);
                }
            }
            long t0 = System.nanoTime();
            outlierKeys.forEach(k -> sentAt.putIfAbsent(k, t0));
            engine.readings(batch);
            if (start == 0 && System.nanoTime() > warmupEnd) {
                start = System.nanoTime();
                end = start + seconds * 1_000_000_000L;
                total = 0;
                measuring.set(1);
            } else if (start != 0) {
                total += batch.size();
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        Thread.sleep(500); // benchmark pacing, not a test wait: raises in flight reach the notifier
        long[] l = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("devices %d, %d readings in %.1f s: %.0f readings/s through the engine (%d alarms raised,"
                + " %d cleared in total)%n", devices, total, secs, total / secs, engine.raised.get(),
                engine.cleared.get());
        if (l.length > 0) {
            System.out.printf("reading batch -> notifier latency over %d raises: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    l.length, l[l.length / 2] / 1e6, l[(int) (l.length * 0.99)] / 1e6, l[l.length - 1] / 1e6);
        }
        d.close();
        engine.close();
        System.out.println(Arrays.toString(new String[] { "db", dir.toString() }));
    }
}
