package io.edgeport.broker.engine.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import io.edgeport.api.store.StoreCursor;
import io.edgeport.api.store.StoredMessage;
import org.junit.jupiter.api.io.TempDir;

class MessageLogTest {

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ALWAYS)
    Path tmp;

    private static final long DAY = Duration.ofDays(1).toMillis();

    private MessageLog open(Path dir) throws Exception {
        return MessageLog.open(dir, false, Long.MAX_VALUE, DAY, Clock.systemUTC(), 64 * 1024, MessageLog.POSITION_SAVE_MS);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> texts(List<StoredMessage> ms) {
        List<String> out = new ArrayList<>();
        for (StoredMessage m : ms) {
            out.add(m.topic() + "=" + new String(m.payload(), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static List<StoredMessage> drain(StoreCursor c) throws Exception {
        List<StoredMessage> all = new ArrayList<>();
        List<StoredMessage> got;
        while (!(got = c.poll(1000, 0)).isEmpty()) {
            all.addAll(got);
        }
        return all;
    }

    @Test
    void logsOnlyWhatAConsumerWantsAndReadsItInOrderOnceDurable() throws Exception {
        try (MessageLog log = open(tmp.resolve("m"))) {
            assertThat(log.wanted("sensors/a/t/reading")).as("no consumer: nothing is logged").isFalse();
            StoreCursor c = log.open("jdbc", List.of("sensors/+/+/reading"));
            assertThat(log.wanted("sensors/a/t/reading")).isTrue();
            assertThat(log.wanted("status/a/health")).isFalse();
            assertThat(log.wanted("$SYS/broker/uptime")).isFalse();
            log.append(1, "dev", "sensors/a/t/reading", 1, false, b("1"));
            log.append(2, "dev", "sensors/a/t/reading", 1, false, b("2"));
            assertThat(c.poll(10, 0)).as("appended but not written: invisible").isEmpty();
            log.flush();
            List<StoredMessage> got = c.poll(10, 0);
            assertThat(texts(got)).containsExactly("sensors/a/t/reading=1", "sensors/a/t/reading=2");
            assertThat(got.get(0).clientId()).isEqualTo("dev");
            assertThat(got.get(0).qos()).isEqualTo(1);
            assertThat(got.get(0).position()).isLessThan(got.get(1).position());
        }
    }

    @Test
    void eachConsumerGetsOnlyItsFilters() throws Exception {
        try (MessageLog log = open(tmp.resolve("m"))) {
            StoreCursor readings = log.open("sink", List.of("sensors/#"));
            StoreCursor status = log.open("rules", List.of("status/+/health", "sensors/+/+/reading"));
            log.append(1, "a", "sensors/x/t/reading", 0, false, b("r"));
            log.append(2, "a", "status/x/health", 1, true, b("h"));
            log.flush();
            assertThat(texts(drain(readings))).containsExactly("sensors/x/t/reading=r");
            List<StoredMessage> s = drain(status);
            assertThat(texts(s)).containsExactly("sensors/x/t/reading=r", "status/x/health=h");
            assertThat(s.get(1).retain()).isTrue();
        }
    }

    @Test
    void aConsumerResumesAfterWhatItCommittedAcrossARestartAndSegments() throws Exception {
        Path dir = tmp.resolve("m");
        byte[] big = new byte[3000];
        long committed;
        try (MessageLog log = open(dir)) {
            StoreCursor c = log.open("jdbc", List.of("t/#"));
            for (int i = 0; i < 100; i++) {
                log.append(i, "d", "t/" + i, 1, false, big);
                log.flush(); // many flushes: the 64 KB segments roll several times
            }
            List<StoredMessage> all = drain(c);
            assertThat(all).hasSize(100);
            committed = all.get(59).position();
            c.commit(committed);
        }
        assertThat(Files.list(dir).filter(p -> p.toString().endsWith(".wal")).count()).isGreaterThan(2);
        try (MessageLog log = open(dir)) {
            StoreCursor c = log.open("jdbc", List.of("t/#"));
            assertThat(c.committed()).isEqualTo(committed);
            List<StoredMessage> rest = drain(c);
            assertThat(rest).extracting(StoredMessage::topic).first().isEqualTo("t/60");
            assertThat(rest).hasSize(40);
        }
    }

    @Test
    void afterACrashAConsumerGetsAgainWhatItCommittedLastButNothingIsLost() throws Exception {
        Path dir = tmp.resolve("m");
        MessageLog log = open(dir);
        StoreCursor c = log.open("rules", List.of("t"));
        for (int i = 0; i < 10; i++) {
            log.append(i, "d", "t", 1, false, b(Integer.toString(i)));
        }
        log.flush();
        List<StoredMessage> got = drain(c);
        c.commit(got.get(9).position()); // not saved yet: at most POSITION_SAVE_MS behind
        // crash: nothing closed
        try (MessageLog again = open(dir)) {
            List<StoredMessage> re = drain(again.open("rules", List.of("t")));
            assertThat(texts(re)).as("at least once: the unsaved commit is repeated, nothing skipped")
                    .hasSize(10).startsWith("t=0");
        }
    }

    @Test
    void aConsumerThatKeepsItsOwnPositionSeeksPastWhatItAlreadyHas() throws Exception {
        try (MessageLog log = open(tmp.resolve("m"))) {
            StoreCursor c = log.open("jdbc", List.of("t"));
            for (int i = 0; i < 5; i++) {
                log.append(i, "d", "t", 1, false, b(Integer.toString(i)));
            }
            log.flush();
            List<StoredMessage> all = drain(c);
            StoreCursor again = log.open("jdbc", List.of("t"));
            again.seek(all.get(2).position());
            assertThat(texts(drain(again))).containsExactly("t=3", "t=4");
            assertThatThrownBy(() -> c.poll(1, 0)).as("a second open closes the first")
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void retentionDeletesWhatEveryConsumerReadAndCountsWhatALaggingOneLoses() throws Exception {
        Path dir = tmp.resolve("m");
        try (MessageLog log = MessageLog.open(dir, false, 200 * 1024, DAY, Clock.systemUTC(), 64 * 1024, MessageLog.POSITION_SAVE_MS)) {
            StoreCursor fast = log.open("fast", List.of("t"));
            StoreCursor slow = log.open("slow", List.of("t"));
            byte[] big = new byte[1000];
            long read = 0;
            // 'fast' keeps up (the log's own maintenance may apply retention at any moment meanwhile); 'slow' reads
            // nothing until the end.
            for (int i = 0; i < 1000; i++) {
                log.append(i, "d", "t", 1, false, big);
                log.flush();
                List<StoredMessage> f = drain(fast);
                read += f.size();
                if (!f.isEmpty()) {
                    fast.commit(f.get(f.size() - 1).position());
                }
            }
            assertThat(read).isEqualTo(1000);
            log.applyRetention();
            long lost = log.droppedForRetention();
            assertThat(lost).as("~1 MB written, 200 KB kept: most of what 'slow' did not read is gone").isBetween(500L,
                    900L);
            List<StoredMessage> s = drain(slow);
            assertThat((long) s.size()).as("lost + still readable = everything, for the slow consumer")
                    .isEqualTo(1000 - lost);
            long onDisk = Files.list(dir).filter(p -> p.toString().endsWith(".wal")).mapToLong(p -> p.toFile()
                    .length()).sum();
            assertThat(onDisk).isLessThan(400 * 1024);
        }
    }

    @Test
    void aRemovedConsumerNoLongerHoldsTheLog() throws Exception {
        Path dir = tmp.resolve("m");
        try (MessageLog log = open(dir)) {
            log.open("gone", List.of("t"));
            for (int i = 0; i < 200; i++) {
                log.append(i, "d", "t", 1, false, new byte[2000]);
                log.flush();
            }
            log.remove("gone");
            assertThat(log.wanted("t")).isFalse();
            log.applyRetention();
            assertThat(log.droppedForRetention()).isZero();
            assertThat(Files.list(dir).filter(p -> p.toString().endsWith(".wal")).count()).isEqualTo(1);
        }
        try (MessageLog log = open(dir)) {
            assertThat(log.positions()).isEmpty();
        }
    }

    @Test
    void badNamesAndFiltersAreRefused() throws Exception {
        try (MessageLog log = open(tmp.resolve("m"))) {
            assertThatThrownBy(() -> log.open("a b", List.of("t"))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> log.open("a", List.of("t/#/x"))).hasMessageContaining("t/#/x");
            assertThatThrownBy(() -> log.open("a", List.of())).hasMessageContaining("no topic filter");
        }
    }

    @Test
    void aWaitingReaderWakesWhenMessagesBecomeDurable() throws Exception {
        try (MessageLog log = open(tmp.resolve("m"))) {
            StoreCursor c = log.open("w", List.of("t"));
            AtomicLong got = new AtomicLong();
            Thread t = new Thread(() -> {
                try {
                    got.set(c.poll(10, 10_000).size());
                } catch (Exception e) {
                    got.set(-1);
                }
            });
            t.start();
            log.append(1, "d", "t", 1, false, b("x"));
            log.flush();
            t.join(10_000);
            assertThat(got.get()).isEqualTo(1);
        }
    }

    @Test
    void consumersThatKeepUpShareEachMessageSoItIsDecodedOnce() throws Exception {
        try (MessageLog log = open(tmp.resolve("m"))) {
            StoreCursor a = log.open("a", List.of("t/#"));
            StoreCursor b = log.open("b", List.of("t/#"));
            log.append(1, "d", "t/1", 1, false, b("21.5"));
            log.flush();
            StoredMessage ma = a.poll(10, 0).get(0);
            StoredMessage mb = b.poll(10, 0).get(0);
            AtomicLong decodes = new AtomicLong();
            java.util.function.Function<StoredMessage, Double> decoder = m -> {
                decodes.incrementAndGet();
                return Double.parseDouble(new String(m.payload(), StandardCharsets.UTF_8));
            };
            assertThat(ma.decoded("reading", decoder)).isEqualTo(21.5);
            assertThat(mb.decoded("reading", decoder)).isEqualTo(21.5);
            assertThat(decodes.get()).isEqualTo(1);
        }
    }

    @Test
    void aReaderBehindTheInMemoryTailReadsTheFilesAndThenCatchesUpWithoutGapsOrRepeats() throws Exception {
        try (MessageLog log = MessageLog.open(tmp.resolve("m"), false, Long.MAX_VALUE, DAY, Clock.systemUTC(),
                1024 * 1024, MessageLog.POSITION_SAVE_MS)) {
            StoreCursor c = log.open("c", List.of("t/+"));
            int n = MessageLog.TAIL_MESSAGES + 10_000;
            for (int i = 0; i < n; i++) {
                log.append(i, "d", i % 3 == 0 ? "other" : "t/x", 0, false, b(Integer.toString(i)));
                if (i % 1000 == 0) {
                    log.flush();
                }
            }
            log.flush();
            List<StoredMessage> got = new ArrayList<>();
            List<StoredMessage> batch;
            while (!(batch = c.poll(777, 0)).isEmpty()) {
                got.addAll(batch);
            }
            long expected = java.util.stream.IntStream.range(0, n).filter(i -> i % 3 != 0).count();
            assertThat((long) got.size()).isEqualTo(expected);
            for (int i = 1; i < got.size(); i++) {
                assertThat(got.get(i).position()).isGreaterThan(got.get(i - 1).position());
            }
            assertThat(new String(got.get(got.size() - 1).payload(), StandardCharsets.UTF_8))
                    .isEqualTo(Integer.toString(n % 3 == 1 ? n - 1 : n - 1));
        }
    }
}
