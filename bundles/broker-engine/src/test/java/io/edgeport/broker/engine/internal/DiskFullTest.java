package io.edgeport.broker.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.edgeport.api.store.StoreCursor;
import io.edgeport.api.store.StoredMessage;
import io.edgeport.broker.engine.Engine;
import io.edgeport.broker.engine.EngineSettings;
import io.edgeport.broker.engine.Listener;
import io.edgeport.broker.engine.internal.store.MessageLog;

/**
 * Issue 13: the data directory's file system fills up while devices publish. Nothing is acknowledged that was not
 * stored (QoS 1 publishers are held back, then refused once the unwritten backlog reaches its bound), the stores are
 * not corrupted, and the broker recovers by itself when space is freed. Runs on a small tmpfs mounted for the test
 * (CI runs as root; elsewhere the test is skipped).
 */
class DiskFullTest {

    private Path mount;
    private MessageLog log;
    private Engine engine;
    private final List<MqttClient> clients = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    @BeforeEach
    void mountSmallFileSystem() throws Exception {
        mount = Files.createDirectories(Path.of("target", "disk-full-" + System.nanoTime()).toAbsolutePath());
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean mounted = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        Assumptions.assumeTrue(mounted, "cannot mount a tmpfs here (not root?): " + out.strip());
    }

    @AfterEach
    void unmount() throws Exception {
        running.set(false);
        for (Thread t : threads) {
            t.join(10_000);
        }
        for (MqttClient c : clients) {
            try {
                c.disconnectForcibly(100, 100);
            } catch (MqttException e) {
                // not connected
            }
            c.close(true);
        }
        if (engine != null) {
            engine.close();
        }
        if (log != null) {
            log.close();
        }
        if (mount != null) {
            new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Engine start() throws Exception {
        EngineSettings s = EngineSettings.builder().port(Listener.TCP, EngineSettings.ANY_PORT).allowAnonymous(true)
                .storeDirectory(mount.resolve("data")).fsync(true).autosaveInterval(1).build();
        return RunningEngine.start(s, new TestHooks(), log);
    }

    @Test
    void aFullDiskHoldsAcknowledgementsLosesNothingAndTheBrokerRecovers() throws Exception {
        log = MessageLog.open(mount.resolve("messages"), true, Long.MAX_VALUE, Long.MAX_VALUE / 2,
                Clock.systemUTC());
        log.maxUnwritten(256 * 1024); // reached only while the disk refuses writes
        log.open("sink-test", List.of("sensors/#")).close(); // a consumer from the first message on
        engine = start();
        int port = engine.boundPort(Listener.TCP);

        Set<Integer> acked = ConcurrentHashMap.newKeySet();
        int[] next = { 0 };
        threads.add(thread(() -> { // QoS 1: a sequence number per reading, retried until acknowledged
            MqttClient c = client(port, "qos1-device", false);
            while (running.get()) {
                int seq = next[0];
                try {
                    if (!c.isConnected()) {
                        c.connect(options(false));
                    }
                    c.publish("sensors/lab/t/qos1-device/reading", payload(seq, 200), 1, false);
                    acked.add(seq);
                    next[0]++;
                } catch (MqttException e) {
                    pause(100); // refused (disconnected) or not reachable: send it again
                }
            }
        }));
        threads.add(thread(() -> { // QoS 0: fills the unwritten backlog while the disk is full
            MqttClient c = client(port, "qos0-device", true);
            int seq = 0;
            while (running.get()) {
                try {
                    if (!c.isConnected()) {
                        c.connect(options(true));
                    }
                    c.publish("sensors/lab/t/qos0-device/reading", payload(seq++, 100), 0, false);
                    if (seq % 20 == 0) {
                        pause(2);
                    }
                } catch (MqttException e) {
                    pause(100);
                }
            }
        }));
        await("readings acknowledged").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> acked.size() >= 100);

        Path filler = mount.resolve("filler");
        try (OutputStream out = Files.newOutputStream(filler)) {
            byte[] block = new byte[64 * 1024];
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            // the file system is full
        }
        await("the message log failing to write").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(log::writeFailing);
        assertThat(log.refusedMessages()).as("nothing refused while the disk had room").isZero();
        await("the message log refusing what it cannot write").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(20)).until(() -> log.refusedMessages() > 0);
        int heldAt = acked.size();
        Files.delete(filler);
        await("acknowledgements again after space was freed").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(20)).until(() -> acked.size() >= heldAt + 100);
        running.set(false);
        for (Thread t : threads) {
            t.join(10_000);
        }
        int total = next[0];
        engine.close();
        engine = null;
        log.close();

        log = MessageLog.open(mount.resolve("messages"), true, Long.MAX_VALUE, Long.MAX_VALUE / 2,
                Clock.systemUTC());
        List<Integer> stored = new ArrayList<>();
        try (StoreCursor cursor = log.open("sink-test", List.of("sensors/lab/t/qos1-device/reading"))) {
            List<StoredMessage> batch;
            while (!(batch = cursor.poll(1000, 0)).isEmpty()) {
                for (StoredMessage m : batch) {
                    stored.add(seq(m.payload()));
                }
            }
        }
        assertThat(stored).as("every acknowledged reading is in the message log").containsAll(acked);
        assertThat(stored).as("in the order sent (a resend may repeat the one before)").isSorted();
        assertThat(total).isEqualTo(acked.size());

        engine = start(); // the broker's own store opens as it is: not set aside as unreadable
        try (var files = Files.list(mount.resolve("data"))) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("unreadable"));
        }
    }

    private MqttClient client(int port, String id, boolean clean) {
        try {
            MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, id, new MemoryPersistence());
            synchronized (clients) {
                clients.add(c);
            }
            c.connect(options(clean));
            return c;
        } catch (MqttException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MqttConnectOptions options(boolean clean) {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(clean);
        o.setConnectionTimeout(5);
        return o;
    }

    private static byte[] payload(int seq, int size) {
        byte[] b = new byte[size];
        java.util.Arrays.fill(b, (byte) 'x');
        byte[] s = Integer.toString(seq).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, b, 0, s.length);
        b[s.length] = ' ';
        return b;
    }

    private static int seq(byte[] payload) {
        String s = new String(payload, 0, Math.min(12, payload.length), StandardCharsets.US_ASCII);
        return Integer.parseInt(s.substring(0, s.indexOf(' ')));
    }

    private Thread thread(Runnable r) {
        Thread t = new Thread(r, "disk-full-publisher");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Pacing of the simulated devices (their retry back-off and send rate), not a wait of the test. */
    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
