package io.edgeport.blackbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeport.testsupport.MqttFuzzer;

/**
 * Issue 13: the exported gateway under a seeded mutation fuzzer (10,000 connections of 1-5 mutated MQTT 3.1.1 packets
 * each, or 60 s). It serves a normal client afterwards; its log grows by less than 2 MB and holds no stack trace for
 * the peers' bytes (Moquette logged 130 MB with 1.3 million stack-trace lines for 20,000 such connections); its RSS
 * ends less than 60 MB above where it started. {@code bench/fuzz.sh} runs a longer one.
 */
class FuzzTest {

    static final long SEED = 20261205L;

    @TempDir
    Path dir;

    @Test
    void mutatedPacketsLeaveTheGatewayServingItsLogQuietAndItsMemoryBounded() throws Exception {
        try (Gateway gw = new Gateway(dir).start()) {
            int port = gw.mqttPort;
            awaitQuiet(gw, "settled after the start");
            long rssBefore = rssKb(gw.pid());
            int logBefore = gw.log().length();
            MqttFuzzer.drainMillis(20);
            Random r = new Random(SEED);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int connections = 0;
            long bytes = 0;
            while (connections < 10_000 && System.nanoTime() < end) {
                bytes += MqttFuzzer.fuzz(port, 500, r);
                connections += 500;
            }
            awaitQuiet(gw, "settled after the fuzz");
            long rssAfter = rssKb(gw.pid());
            String log = gw.log().substring(logBefore);

            MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, "after-fuzz", new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setConnectionTimeout(10);
            c.connect(o);
            CountDownLatch got = new CountDownLatch(1);
            c.subscribe("fuzz/ok", 1, (t, m) -> got.countDown());
            c.publish("fuzz/ok", "still here".getBytes(StandardCharsets.UTF_8), 1, false);
            assertThat(got.await(10, TimeUnit.SECONDS)).as("a normal client is served after the fuzz").isTrue();
            c.disconnect();
            c.close();

            System.out.printf("fuzz: %d connections, %d bytes; gateway log +%d bytes (%d lines); RSS %d -> %d MB%n",
                    connections, bytes, log.length(), log.lines().count(), rssBefore / 1024, rssAfter / 1024);
            gw.saveLog("fuzz");
            assertThat(log).as("no stack trace for the peers' bytes").doesNotContain("\tat ");
            assertThat(log.length()).as("the log grows by less than 2 MB").isLessThan(2 * 1024 * 1024);
            assertThat(rssAfter - rssBefore).as("RSS ends less than 60 MB above its start (KB)")
                    .isLessThan(60 * 1024);
        }
    }

    /** Waits until the gateway has settled: its log stays the same for 2 s. */
    private static void awaitQuiet(Gateway gw, String what) {
        AtomicInteger length = new AtomicInteger(-1);
        await(what + ": the gateway's log stays the same for 2 s").atMost(Duration.ofSeconds(60))
                .during(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    int now = gw.log().length();
                    return length.getAndSet(now) == now;
                });
    }

    static long rssKb(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }
}
