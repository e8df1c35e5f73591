package io.edgeport.telemetry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeport.api.telemetry.Reading;
import io.edgeport.api.telemetry.RejectedMessage;
import io.edgeport.api.telemetry.TelemetrySink;
import io.edgeport.api.telemetry.TransactionalSink;
import io.edgeport.testsupport.TestMessageStore;
import io.edgeport.commons.mqtt.TopicTemplate;

/**
 * One sink's path from the broker's real message store: everything stored is handed over once, a failing sink is
 * retried without loss, what arrives while the sink is away waits in the store, and a transactional sink continues
 * after its own position. Counts and sequence numbers are asserted; waits are bounded and wait on facts.
 */
class SinkChannelTest {

    @TempDir
    Path dir;
    private TestMessageStore store;
    private final List<SinkChannel> channels = new ArrayList<>();
    private static final AtomicInteger NAMES = new AtomicInteger();

    @BeforeEach
    void openStore() throws Exception {
        store = new TestMessageStore(dir.resolve("messages"));
    }

    @AfterEach
    void close() throws Exception {
        channels.forEach(c -> c.close(5_000));
        store.close();
    }

    /** Records every stored reading's sequence number and how often it was stored. */
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

    /** Keeps its position with its rows, as the JDBC sink does in one transaction. */
    static class TransactionalRecordingSink extends RecordingSink implements TransactionalSink {
        final AtomicLong position = new AtomicLong(-1);

        @Override
        public long position() {
            return position.get();
        }

        @Override
        public synchronized void store(List<Reading> readings, List<RejectedMessage> bad, long pos) throws Exception {
            store(readings);
            storeRejected(bad);
            position.set(pos);
        }
    }

    private SinkChannel channel(String name, RecordingSink sink, String topic) {
        SinkChannel c = new SinkChannel(new SinkChannel.Options(name, List.of(topic + "/#"), 100, 20, 400), sink,
                () -> DECODER, () -> store, new RejectLog()).start();
        channels.add(c);
        return c;
    }

    private static final ReadingDecoder DECODER = new ReadingDecoder(TopicTemplate.parseAll(
            ReadingDecoder.DEFAULT_TEMPLATES));

    private void publish(String topic, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            String json = "{\"device_id\":\"d1\",\"measurement\":\"temperature\",\"value\":" + (20 + i % 10)
                    + ",\"timestamp\":\"2026-11-27T10:00:00Z\",\"seq\":" + i + "}";
            assertThat(store.publish(topic + "/b/temperature/d1/reading", json)).as("a consumer wants it").isTrue();
        }
    }

    private static String unique() {
        return "t" + NAMES.incrementAndGet();
    }

    @Test
    void storesEveryReadingOnce() throws Exception {
        String t = unique();
        RecordingSink sink = new RecordingSink();
        SinkChannel c = channel(t, sink, t);
        await("reading").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(c::connected);
        publish(t, 0, 1500);
        await("1500 stored").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> sink.seqs.size() == 1500);
        assertThat(sink.seqs.keySet()).containsAll(java.util.stream.LongStream.range(0, 1500).boxed().toList());
        assertThat(sink.duplicates()).isZero();
        await("counted").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> c.stored.get() == 1500);
    }

    @Test
    void failingSinkIsRetriedAndLosesNothing() throws Exception {
        String t = unique();
        RecordingSink sink = new RecordingSink();
        sink.failFirst = 4;
        SinkChannel c = channel(t, sink, t);
        await("reading").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(c::connected);
        publish(t, 0, 300);
        await("300 stored").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> sink.seqs.size() == 300);
        assertThat(c.failures.get()).isGreaterThanOrEqualTo(4);
        assertThat(c.lastError).contains("database down");
    }

    @Test
    void whatArrivesWhileTheSinkIsAwayWaitsInTheStore() throws Exception {
        String t = unique();
        RecordingSink first = new RecordingSink();
        SinkChannel c = channel(t, first, t);
        await("reading").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(c::connected);
        publish(t, 0, 100);
        await("100 stored").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> first.seqs.size() == 100);
        c.close(5_000);
        publish(t, 100, 400); // the sink is away: its registration keeps them
        RecordingSink second = new RecordingSink();
        channel(t, second, t);
        await("the 300 kept stored").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> second.seqs.size() == 300);
        assertThat(second.seqs.keySet()).containsAll(java.util.stream.LongStream.range(100, 400).boxed().toList());
    }

    @Test
    void aBatchThatNeverCommittedGoesToTheNextSink() throws Exception {
        String t = unique();
        RecordingSink broken = new RecordingSink();
        broken.failAlways = true;
        SinkChannel c = channel(t, broken, t);
        await("reading").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(c::connected);
        publish(t, 0, 50);
        await("a failed attempt").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> c.failures.get() > 0);
        c.close(5_000);
        RecordingSink fixed = new RecordingSink();
        channel(t, fixed, t);
        await("50 stored after the update").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> fixed.seqs.size() == 50);
        assertThat(broken.seqs).isEmpty();
    }

    @Test
    void aStoreRestartIsNoticedAndReadingGoesOnWhereItWas() throws Exception {
        String t = unique();
        RecordingSink sink = new RecordingSink();
        SinkChannel c = channel(t, sink, t);
        await("reading").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(c::connected);
        publish(t, 0, 100);
        await("100 stored").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> sink.seqs.size() == 100);
        store.restart();
        publish(t, 100, 200);
        await("200 stored").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> sink.seqs.size() == 200);
        assertThat(sink.duplicates()).as("positions saved at close: nothing repeated").isZero();
    }

    @Test
    void afterACrashAPlainSinkGetsItsLastReadingsAgainAndATransactionalOneDoesNot() throws Exception {
        String plainTopic = unique();
        String txTopic = unique();
        RecordingSink plain = new RecordingSink();
        TransactionalRecordingSink tx = new TransactionalRecordingSink();
        channel(plainTopic, plain, plainTopic);
        channel(txTopic, tx, txTopic);
        await("reading").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> channels.stream().allMatch(SinkChannel::connected));
        publish(plainTopic, 0, 100);
        publish(txTopic, 0, 100);
        await("100 + 100 stored").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> plain.seqs.size() == 100 && tx.seqs.size() == 100);
        store.crash(); // the store had not saved the positions the sinks committed
        publish(plainTopic, 100, 150);
        publish(txTopic, 100, 150);
        await("150 + 150 stored").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> plain.seqs.size() == 150 && tx.seqs.size() == 150);
        await("the plain sink's repeats").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> plain.duplicates() == 100);
        assertThat(tx.duplicates()).as("exactly once: it continued after its own position").isZero();
    }

    @Test
    void badMessagesBecomeDeadLettersAndDoNotBlockTheRest() throws Exception {
        String t = unique();
        RecordingSink sink = new RecordingSink();
        SinkChannel c = channel(t, sink, t);
        await("reading").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(c::connected);
        byte[] garbage = { '{', 'x', (byte) 0xff };
        store.publish("dev", t + "/b/temperature/d1/reading", garbage, 1);
        publish(t, 0, 10);
        await("10 stored and 1 rejected").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> sink.seqs.size() == 10 && sink.rejected.size() == 1);
        RejectedMessage r = sink.rejected.get(0);
        assertThat(r.payload()).isEqualTo(garbage);
        assertThat(r.topic()).isEqualTo(t + "/b/temperature/d1/reading");
        assertThat(r.reason()).startsWith("not valid JSON");
        assertThat(c.rejected.get()).isEqualTo(1);
    }
}
