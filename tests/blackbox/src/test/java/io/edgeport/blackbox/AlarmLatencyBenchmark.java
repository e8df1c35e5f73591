package io.edgeport.blackbox;

import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Issue 5's benchmark: time from a reading's PUBLISH to its alarm on {@code alerts/...}, p50 and p99, while a fleet
 * of simulated devices (default 1,000 at 1 reading/s each) runs in the same gateway. A probe device alternates an
 * out-of-range and a normal temperature every 200 ms, so every probe reading raises or clears an alarm; the MQTT
 * notifier's message for it is matched to the reading in order. Not a test: {@code bench/alarm-latency.sh}.
 *
 * <p>Arguments: {@code [devices=1000] [seconds=60] [inprocess|separate]}: the fleet runs in the gateway (the demo fleet)
 * or in a second gateway process that publishes into the first, as real devices are separate. System property
 * {@code gateway.jvm}: the gateway's JVM options instead of the tests' {@code -Xmx256m -XX:+UseSerialGC};
 * {@code default} for none, as the README starts it.
 */
public final class AlarmLatencyBenchmark {

    public static void main(String[] args) throws Exception {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        boolean separate = args.length > 2 && args[2].equals("separate");
        String jvm = System.getProperty("gateway.jvm", ""); // e.g. "-Xlog:gc" or "default" for none
        List<String> jvmOptions = jvm.isBlank() ? null : jvm.equals("default") ? List.of()
                : List.of(jvm.trim().split("\\s+"));
        Path dir = Files.createTempDirectory("edgeport-alarm-bench");
        Gateway rig = null;
        try (Gateway gw = new Gateway(dir).with("edgeport.demo.devices", separate ? 0 : devices)
                .jvm(jvmOptions)) {
            gw.start();
            Console console = AlertingTest.alarmsPage(gw);
            if (separate) {
                // The fleet in a process of its own, as real devices are: a second gateway whose simulator
                // publishes into the first one.
                rig = new Gateway(Files.createTempDirectory("edgeport-alarm-rig")).start();
                Console rigConsole = new Console(rig);
                rigConsole.awaitUp();
                Telemetry.createFactoryConfiguration(rigConsole, "io.edgeport.simulator.fleet", java.util.Map.of(
                        "name", "rig", "broker.url", "tcp://127.0.0.1:" + gw.mqttPort, "devices",
                        String.valueOf(devices), "interval.ms", "1000"));
            }
            Telemetry.Observer fleet = new Telemetry.Observer(gw.mqttPort);
            await("the fleet publishing").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .until(() -> fleet.seen.size() >= devices * 9 / 10);
            System.out.printf("%d of %d devices publishing%n", fleet.seen.size(), devices);

            ConcurrentLinkedQueue<Long> arrivals = new ConcurrentLinkedQueue<>();
            MqttClient watcher = new MqttClient("tcp://127.0.0.1:" + gw.mqttPort, "lat-watcher", new MemoryPersistence());
            watcher.connect();
            watcher.subscribe("alerts/+/lat-probe", 1, (t, m) -> {
                String s = new String(m.getPayload(), StandardCharsets.UTF_8);
                if (s.contains("\"transition\":\"raised\"") || s.contains("\"transition\":\"cleared\"")) {
                    arrivals.add(System.nanoTime());
                }
            });
            MqttClient probe = new MqttClient("tcp://127.0.0.1:" + gw.mqttPort, "lat-probe", new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setMaxInflight(100);
            probe.connect(o);
            // Warm up until the first alarm comes (the engine's session exists and the JIT has started).
            long seq = 0;
            while (arrivals.isEmpty()) {
                send(probe, 99, seq++);
                Thread.sleep(300); // benchmark pacing: probe high, then low, until an alarm arrives
                send(probe, 20, seq++);
                Thread.sleep(300); // benchmark pacing
            }
            Thread.sleep(2_000); // benchmark pacing: the engine settles before the measurement
            arrivals.clear();
            List<Long> sent = new ArrayList<>();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            boolean high = true;
            while (System.nanoTime() < end) {
                sent.add(System.nanoTime());
                send(probe, high ? 99 : 20, seq++);
                high = !high;
                Thread.sleep(200); // benchmark pacing: one transition every 200 ms
            }
            Thread.sleep(3_000); // benchmark pacing: the last notifications arrive before the report
            List<Long> got = new ArrayList<>(arrivals);
            int n = Math.min(sent.size(), got.size());
            List<Double> ms = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ms.add((got.get(i) - sent.get(i)) / 1e6);
            }
            Collections.sort(ms);
            System.out.printf("alarm latency with %d devices publishing 1 reading/s: %d readings, %d alarms;"
                    + " p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", fleet.seen.size(), sent.size(), got.size(),
                    ms.get(ms.size() / 2), ms.get((int) Math.min(ms.size() - 1, Math.ceil(ms.size() * 0.99) - 1)),
                    ms.get(ms.size() - 1));
            probe.disconnect();
            watcher.disconnect();
            fleet.close();
            gw.stop();
        } finally {
            if (rig != null) {
                rig.stop();
            }
        }
    }

    private static void send(MqttClient probe, double value, long seq) throws Exception {
        probe.publish("sensors/lab/temperature/lat-probe/reading", ("{\"device_id\":\"lat-probe\",\"measurement\":"
                + "\"temperature\",\"value\":" + value + ",\"seq\":" + seq + "}").getBytes(StandardCharsets.UTF_8),
                1, false);
    }
}
