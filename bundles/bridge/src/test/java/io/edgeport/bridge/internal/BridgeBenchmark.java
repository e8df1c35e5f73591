package io.edgeport.bridge.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.edgeport.commons.bridge.BridgeSettings;
import io.edgeport.testsupport.MosquittoBroker;
import io.edgeport.testsupport.TestMessageStore;

/**
 * Bridge throughput to a local Mosquitto 2.0 at QoS 1 (bench/bridge.sh): (1) catch-up: a backlog of N messages in the
 * message store, as an outage leaves it, sent once the upstream is there; (2) live: a producer writes into the store
 * while the bridge sends, for S seconds. Prints messages per second; no assertion (figures, not tests).
 */
public final class BridgeBenchmark {

    public static void main(String[] args) throws Exception {
        int backlog = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Path dir = Files.createDirectories(Path.of("target", "bridge-bench-" + UUID.randomUUID()));
        byte[] payload = "{\"value\":21.5,\"unit\":\"C\",\"seq\":123456}".getBytes(StandardCharsets.UTF_8);
        try (MosquittoBroker upstream = new MosquittoBroker(dir);
             TestMessageStore store = new TestMessageStore(dir.resolve("store"))) {
            Map<String, Object> v = new HashMap<>();
            v.put("connection", "bench");
            v.put("address", new String[] {"127.0.0.1:" + upstream.port});
            v.put("topic", new String[] {"sensors/# out 1 \"\" site/"});
            v.put("notifications", false);
            BridgeSettings settings = BridgeSettings.from(v, "bench");
            store.open(settings.consumerName(), List.of("sensors/#")).close(); // registered, as before an outage

            for (int i = 0; i < backlog; i++) {
                store.publish("d" + (i % 50), "sensors/d" + (i % 50) + "/t", payload, 1);
            }
            long t0 = System.nanoTime();
            try (Bridge bridge = new Bridge(settings, () -> store, (t, p, q, r, o) -> { })) {
                bridge.start();
                while (bridge.status().sent() < backlog || bridge.status().lagBytes() != 0) {
                    Thread.sleep(5); // benchmark pacing: 5 ms is the resolution of the figure, not a test wait
                }
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf("catch-up: %,d messages (QoS 1) sent upstream in %.2f s = %,.0f msg/s%n", backlog,
                        s, backlog / s);

                long sentBefore = bridge.status().sent();
                long end = System.nanoTime() + seconds * 1_000_000_000L;
                long produced = 0;
                long t1 = System.nanoTime();
                while (System.nanoTime() < end) {
                    store.publish("d" + (produced % 50), "sensors/d" + (produced % 50) + "/t", payload, 1);
                    produced++;
                }
                double produceS = (System.nanoTime() - t1) / 1e9;
                while (bridge.status().sent() - sentBefore < produced) {
                    Thread.sleep(5); // benchmark pacing: 5 ms is the resolution of the figure, not a test wait
                }
                double total = (System.nanoTime() - t1) / 1e9;
                System.out.printf("live: %,d messages written into the store in %.1f s (%,.0f msg/s), all sent"
                        + " upstream after %.2f s = %,.0f msg/s end to end%n", produced, produceS,
                        produced / produceS, total, produced / total);
            }
        }
    }
}
