package io.edgeport.telemetry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeport.api.broker.InternalAccess;
import io.edgeport.api.telemetry.Reading;
import io.edgeport.api.telemetry.RejectedMessage;
import io.edgeport.api.telemetry.TelemetrySink;
import io.edgeport.testsupport.MosquittoBroker;

/**
 * The durable path of one sink against a real broker (Mosquitto): everything published is stored, a failing sink is
 * retried without loss, and what arrives while the sink is away waits in the broker's persistent session. Counts and
 * sequence numbers are asserted; waits are bounded and wait on facts.
 */
class SinkChannelTest {

    @TempDir
    static Path dir;
    private static MosquittoBroker broker;
    private final List<SinkChannel> channels = new ArrayList<>();
    private static final AtomicInteger NAMES = new AtomicInteger();

    @BeforeAll
    static void startBroker() throws Exception {
        broker = new MosquittoBroker(dir);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    @AfterEach
    void closeChannels() {
        channels.forEach(c -> c.close(5_000));
    }

    /** Records every stored reading's sequence number (per device) and how often it was stored. */
    static class RecordingSink implements TelemetrySink {
        final Map<Long, Integer> seqs = new ConcurrentHashMap<>();
        final List<RejectedMessage> rejected = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger calls = new AtomicInteger();
        volatile int failFirst;
        volatile boolean failAlways;

        @Override
        public void store(List<Reading> batch) throws Exception {
            int call = calls.incrementAndGet();
            if (failAlways || call <= failFirst) {
                throw new java.sql.SQLException("database down (test)");
            }
            for (Reading r : batch) {
                seqs.merge(r.sequence(), 1, Integer::sum);
            }
        }

        @Override
        public void storeRejected(List<RejectedMessage> batch) {
            rejected.addAll(batch);
        }

        long duplicates() {
            return seqs.values().stream().filter(n -> n > 1).count();
        }
    }

    private SinkChannel channel(String name, RecordingSink sink, String topic) {
        SinkChannel c = new SinkChannel(new SinkChannel.Options(name, List.of(topic + "/#"), 100, 20, 400), sink,
                () -> new ReadingDecoder(TopicTemplate.parseAll(ReadingDecoder.DEFAULT_TEMPLATES)),
                n -> new InternalAccess(broker.uri(), InternalAccess.CLIENT_ID_PREFIX + n, "test", "test"),
                new RejectLog()).start();
        channels.add(c);
        return c;
    }

    private static void await(String what, BooleanSupplier fact) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!fact.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static void publish(String topic, int from, int to) throws Exception {
        MqttClient pub = new MqttClient(broker.uri(), "pub-" + NAMES.incrementAndGet(), new MemoryPersistence());
        try {
            pub.setTimeToWait(10_000);
            MqttConnectOptions o = new MqttConnectOptions();
            o.setMaxInflight(1000); // Paho's sync publish returns before it frees the in-flight slot
            pub.connect(o);
            for (int i = from; i < to; i++) {
                String json = "{\"device_id\":\"d1\",\"measurement\":\"temperature\",\"value\":" + (20 + i % 10)
                        + ",\"timestamp\":\"2026-11-27T10:00:00Z\",\"seq\":" + i + "}";
                pub.publish(topic + "/b/temperature/d1/reading", json.getBytes(StandardCharsets.UTF_8), 1, false);
            }
            pub.disconnect();
        } finally {
            if (pub.isConnected()) {
                pub.disconnectForcibly(1_000);
            }
            pub.close();
        }
    }

    private static void publishRaw(String topic, byte[] payload) throws Exception {
        MqttClient pub = new MqttClient(broker.uri(), "pub-" + NAMES.incrementAndGet(), new MemoryPersistence());
        try {
            pub.setTimeToWait(10_000);
            pub.connect(new MqttConnectOptions());
            pub.publish(topic, payload, 1, false);
            pub.disconnect();
        } finally {
            if (pub.isConnected()) {
                pub.disconnectForcibly(1_000);
            }
            pub.close();
        }
    }

    private static String unique() {
        return "t" + NAMES.incrementAndGet();
    }

    @Test
    void storesEveryPublishedReadingOnce() throws Exception {
        String t = unique();
        RecordingSink sink = new RecordingSink();
        SinkChannel c = channel(t, sink, t);
        await("connected", c::connected);
        publish(t, 0, 1500);
        await("1500 stored", () -> sink.seqs.size() == 1500);
        assertThat(sink.seqs.keySet()).containsAll(java.util.stream.LongStream.range(0, 1500).boxed().toList());
        assertThat(sink.duplicates()).isZero();
        assertThat(c.stored.get()).isEqualTo(1500);
    }

    @Test
    void failingSinkIsRetriedAndLosesNothing() throws Exception {
        String t = unique();
        RecordingSink sink = new RecordingSink();
        sink.failFirst = 4;
        SinkChannel c = channel(t, sink, t);
        await("connected", c::connected);
        publish(t, 0, 300);
        await("300 stored", () -> sink.seqs.size() == 300);
        assertThat(c.failures.get()).isGreaterThanOrEqualTo(4);
        assertThat(c.lastError).contains("database down");
    }

    @Test
    void whatArrivesWhileTheSinkIsAwayWaitsInTheBroker() throws Exception {
        String t = unique();
        RecordingSink first = new RecordingSink();
        SinkChannel c = channel(t, first, t);
        await("connected", c::connected);
        publish(t, 0, 100);
        await("100 stored", () -> first.seqs.size() == 100);
        c.close(5_000);
        publish(t, 100, 400); // nobody connected: the persistent session queues them
        RecordingSink second = new RecordingSink();
        channel(t, second, t);
        await("the 300 queued stored", () -> second.seqs.size() == 300);
        assertThat(second.seqs.keySet()).containsAll(java.util.stream.LongStream.range(100, 400).boxed().toList());
    }

    @Test
    void aBatchThatNeverCommittedIsRedeliveredToTheNextSink() throws Exception {
        String t = unique();
        RecordingSink broken = new RecordingSink();
        broken.failAlways = true;
        SinkChannel c = channel(t, broken, t);
        await("connected", c::connected);
        publish(t, 0, 50);
        await("a failed attempt", () -> c.failures.get() > 0);
        c.close(5_000);
        RecordingSink fixed = new RecordingSink();
        channel(t, fixed, t);
        await("50 stored after the update", () -> fixed.seqs.size() == 50);
        assertThat(broken.seqs).isEmpty();
    }

    @Test
    void badMessagesBecomeDeadLettersAndDoNotBlockTheRest() throws Exception {
        String t = unique();
        RecordingSink sink = new RecordingSink();
        SinkChannel c = channel(t, sink, t);
        await("connected", c::connected);
        byte[] garbage = { '{', 'x', (byte) 0xff };
        publishRaw(t + "/b/temperature/d1/reading", garbage);
        publish(t, 0, 10);
        await("10 stored and 1 rejected", () -> sink.seqs.size() == 10 && sink.rejected.size() == 1);
        RejectedMessage r = sink.rejected.get(0);
        assertThat(r.payload()).isEqualTo(garbage);
        assertThat(r.topic()).isEqualTo(t + "/b/temperature/d1/reading");
        assertThat(r.reason()).startsWith("not valid JSON");
        assertThat(c.rejected.get()).isEqualTo(1);
    }
}
