package io.edgeport.blackbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.awaitility.core.ConditionTimeoutException;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/**
 * Issue 11's crash harness: the exported gateway (defaults, so the JDBC sink {@code default} stores readings in H2) is
 * killed with SIGKILL at random moments under QoS 1/2 load and started again on the same data directory and ports.
 * Whatever a client was acknowledged before the kill must be there afterwards:
 * <ul>
 * <li>every QoS 1 message the publisher got a PUBACK for reaches a persistent subscriber that was offline during the
 * load and one that was online (both reconnect with clean session off and do not subscribe again); duplicates are
 * counted, not failed;</li>
 * <li>every QoS 2 message the publisher got a PUBCOMP for reaches a persistent QoS 2 subscriber exactly once;</li>
 * <li>every acknowledged reading on {@code sensors/lab/temperature/crash-kN/reading} is one row in the H2 table
 * (read through the console's {@code readings.json});</li>
 * <li>the subscriptions are still there: a message published after the restart (a "sentinel") reaches all three
 * subscribers;</li>
 * <li>the retained message, updated at QoS 1 throughout, is the last acknowledged one or a later one that was
 * sent.</li>
 * </ul>
 * After a restart each consumer is given until it has everything, or until nothing new arrived for a while (longer
 * than the broker's 5 s resend tick), within a hard limit; losses are then counted again at the end, so a late
 * delivery is not a loss. One line per kill and consumer, and a {@code CRASH SUMMARY} line, go to stdout.
 *
 * <p>System properties: {@code crash.kills} (5), {@code crash.seed} (random; printed), {@code crash.load.min.ms} /
 * {@code crash.load.max.ms} (1000 / 4000: load before each kill), {@code crash.kill} ({@code false} stops the gateway
 * with SIGTERM instead: a check of the harness itself, which a clean stop must pass).
 */
class CrashTest {

    static final int KILLS = Integer.getInteger("crash.kills", 5);
    static final long SEED = Long.getLong("crash.seed", System.nanoTime());
    static final int LOAD_MIN_MS = Integer.getInteger("crash.load.min.ms", 1000);
    static final int LOAD_MAX_MS = Integer.getInteger("crash.load.max.ms", 4000);
    static final boolean KILL = !"false".equalsIgnoreCase(System.getProperty("crash.kill", "true"));

    static final String Q1_TOPIC = "crash/q1";
    static final String Q2_TOPIC = "crash/q2";
    static final String RETAINED_TOPIC = "crash/retained";
    static final String SENTINEL_DEVICE = "crash-sentinel";
    /** readings.json answers at most 10,000 rows for one device: one device per run, fewer readings than that. */
    static final long READINGS_PER_RUN = 9_000;
    /** Nothing new for this long after the sentinel arrived: the rest is lost (the broker resends every 5 s). */
    static final long QUIET_AFTER_SENTINEL_MS = 6_000;
    /** Nothing at all for this long, not even the sentinel: the rest is lost. */
    static final long SILENT_MS = 10_000;
    static final long SETTLE_MAX_MS = 60_000;
    private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    /** The id ranges [from, to) each publisher used in one run. */
    record Run(int kill, String device, long q1From, long q1To, long q2From, long q2To, long rFrom, long rTo) {
    }

    /** A consumer's state after a restart, polled until it has settled. */
    interface Progress {
        long lost() throws Exception;

        boolean sentinel() throws Exception;

        long quietMs();

        default boolean settled() throws Exception {
            boolean sentinel = sentinel();
            return sentinel && lost() == 0 || sentinel && quietMs() >= QUIET_AFTER_SENTINEL_MS
                    || quietMs() >= SILENT_MS;
        }
    }

    @Test
    void acknowledgedMessagesSurviveKill9() throws Exception {
        assertThat(LOAD_MAX_MS).isGreaterThanOrEqualTo(LOAD_MIN_MS);
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "crash")), "gw-");
        String mode = KILL ? "kill9" : "sigterm";
        System.out.printf("CRASH mode=%s kills=%d seed=%d (repeat with -Dcrash.seed=%d) dir=%s%n", mode, KILLS, SEED,
                SEED, dir.toAbsolutePath());
        Random random = new Random(SEED);
        Gateway gw = new Gateway(dir);
        List<DurableSubscriber> subscribers = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        boolean passed = false;
        try {
            gw.start();
            String uri = "tcp://127.0.0.1:" + gw.mqttPort;
            Console console = new Console(gw);
            console.awaitUp();
            DurableSubscriber offline = new DurableSubscriber(uri, "crash-offline", Q1_TOPIC, 1).subscribe();
            offline.disconnect();
            DurableSubscriber online = new DurableSubscriber(uri, "crash-online", Q1_TOPIC, 1).subscribe();
            DurableSubscriber q2sub = new DurableSubscriber(uri, "crash-q2", Q2_TOPIC, 2).subscribe();
            subscribers.addAll(List.of(offline, online, q2sub));
            awaitSinkSession(uri, console);

            AtomicReference<String> device = new AtomicReference<>();
            LoadPublisher q1 = new LoadPublisher("q1", 1, 1000, false, id -> Q1_TOPIC, DurableSubscriber::payload);
            LoadPublisher q2 = new LoadPublisher("q2", 2, 100, false, id -> Q2_TOPIC, DurableSubscriber::payload);
            LoadPublisher readings = new LoadPublisher("readings", 1, 100, false,
                    id -> "sensors/lab/temperature/" + device.get() + "/reading", id -> reading(device.get(), id));
            LoadPublisher retained = new LoadPublisher("retained", 1, 10, true, id -> RETAINED_TOPIC,
                    DurableSubscriber::payload);
            List<Run> runs = new ArrayList<>();

            for (int k = 1; k <= KILLS; k++) {
                device.set("crash-k" + k);
                int loadMs = LOAD_MIN_MS + random.nextInt(LOAD_MAX_MS - LOAD_MIN_MS + 1);
                q1.start(uri, Long.MAX_VALUE);
                q2.start(uri, Long.MAX_VALUE);
                readings.start(uri, READINGS_PER_RUN);
                retained.start(uri, Long.MAX_VALUE);
                assertThat(q1.awaitFirstAck(30_000)).as("a first PUBACK under load").isTrue();
                Thread.sleep(loadMs); // pacing of the load, not a wait: the kill comes at a random moment of it
                int exit = KILL ? gw.kill9() : gw.stop();
                gw.saveLog(dir.getFileName() + "-k" + k);
                for (LoadPublisher p : List.of(q1, q2, readings, retained)) {
                    p.finish();
                }
                online.awaitConnectionLost();
                q2sub.awaitConnectionLost();
                Run run = new Run(k, device.get(), q1.runFirst(), q1.next(), q2.runFirst(), q2.next(),
                        readings.runFirst(), readings.next());
                runs.add(run);

                long t0 = System.nanoTime();
                gw.start();
                long restartMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                console.awaitUp();
                System.out.printf("CRASH kill %d/%d: %s after %d ms of load (exit %d), ready again in %d ms%n", k,
                        KILLS, KILL ? "SIGKILL" : "SIGTERM", loadMs, exit, restartMs);
                String sentinel = "k" + k;
                publishSentinels(uri, sentinel, k);
                online.connect();
                q2sub.connect();
                offline.connect();

                Progress[] progress = {
                    subscriberProgress(offline, q1, run.q1From(), run.q1To(), sentinel),
                    subscriberProgress(online, q1, run.q1From(), run.q1To(), sentinel),
                    subscriberProgress(q2sub, q2, run.q2From(), run.q2To(), sentinel),
                    new ReadingsProgress(console, readings, run, k) };
                awaitSettled(progress);
                String retainedAfter = retainedNow(uri);

                report(k, "q1->offline", q1, run.q1From(), run.q1To(), offline, sentinel);
                report(k, "q1->online", q1, run.q1From(), run.q1To(), online, sentinel);
                report(k, "q2->online", q2, run.q2From(), run.q2To(), q2sub, sentinel);
                ReadingsProgress rp = (ReadingsProgress) progress[3];
                System.out.printf("CRASH kill %d readings     sent=%d acked=%d stored=%d lost=%d dup-rows=%d"
                        + " new-reading=%s%n", k, run.rTo() - run.rFrom(), readings.ackedCount(run.rFrom(),
                                run.rTo()), rp.stored.size(), rp.lost(), rp.duplicateRows(), rp.sentinel() ? "ok"
                                        : "MISSING");
                String verdict = retainedVerdict(retained, retainedAfter);
                System.out.printf("CRASH kill %d retained     last-acked=%d last-sent=%d after-restart=%s %s%n", k,
                        retained.lastAcked(), retained.next() - 1, retainedAfter == null ? "none" : retainedAfter,
                        verdict);
                if (!verdict.equals("ok")) {
                    failures.add("kill " + k + ": retained message " + verdict + " (after restart "
                            + retainedAfter + ", last acknowledged " + retained.lastAcked() + ")");
                }
                for (DurableSubscriber s : subscribers) {
                    if (!s.sawSentinel(sentinel)) {
                        failures.add("kill " + k + ": " + s.clientId() + " did not receive a message published after"
                                + " the restart (subscription lost; subscribed again for the next kill)");
                        s.resubscribe();
                    }
                }
                offline.disconnect();
                if (!rp.sentinel()) {
                    failures.add("kill " + k + ": the sink did not store a reading published after the restart");
                }
            }

            // Counted again at the end: a message that came late is not lost.
            long ackedQ1 = 0;
            long ackedQ2 = 0;
            long ackedReadings = 0;
            long lostOffline = 0;
            long lostOnline = 0;
            long lostQ2 = 0;
            long lostRows = 0;
            long dupQ1 = 0;
            long dupQ2 = 0;
            long dupRows = 0;
            for (Run r : runs) {
                ackedQ1 += q1.ackedCount(r.q1From(), r.q1To());
                ackedQ2 += q2.ackedCount(r.q2From(), r.q2To());
                ackedReadings += readings.ackedCount(r.rFrom(), r.rTo());
                lostOffline += offline.lost(q1, r.q1From(), r.q1To());
                lostOnline += online.lost(q1, r.q1From(), r.q1To());
                lostQ2 += q2sub.lost(q2, r.q2From(), r.q2To());
                dupQ1 += offline.duplicates(r.q1From(), r.q1To()) + online.duplicates(r.q1From(), r.q1To());
                dupQ2 += q2sub.duplicates(r.q2From(), r.q2To());
                Map<Long, Integer> stored = Telemetry.stored(console, "default", r.device());
                for (long id = r.rFrom(); id < r.rTo(); id++) {
                    lostRows += readings.acked(id) && !stored.containsKey(id) ? 1 : 0;
                }
                dupRows += stored.values().stream().filter(n -> n > 1).count();
            }
            long lost = lostOffline + lostOnline + lostQ2 + lostRows;
            addIf(failures, lostOffline, "acknowledged QoS 1 messages never reached the offline persistent subscriber");
            addIf(failures, lostOnline, "acknowledged QoS 1 messages never reached the online persistent subscriber");
            addIf(failures, lostQ2, "acknowledged QoS 2 messages never reached the QoS 2 subscriber");
            addIf(failures, dupQ2, "QoS 2 messages delivered more than once");
            addIf(failures, lostRows, "acknowledged readings are not in the H2 table");
            addIf(failures, dupRows, "readings stored more than once");
            System.out.printf("CRASH SUMMARY mode=%s kills=%d seed=%d acked: q1=%d q2=%d readings=%d; lost=%d"
                    + " (q1-offline=%d q1-online=%d q2=%d rows=%d); duplicates: q1=%d q2=%d rows=%d; failures=%d"
                    + " result=%s%n", mode, KILLS, SEED, ackedQ1, ackedQ2, ackedReadings, lost, lostOffline,
                    lostOnline, lostQ2, lostRows, dupQ1, dupQ2, dupRows, failures.size(),
                    failures.isEmpty() ? "PASS" : "FAIL");
            failures.forEach(f -> System.out.println("CRASH FAILURE " + f));
            assertThat(gw.stop()).as("exit code after SIGTERM").isIn(0, Gateway.SIGTERM_EXIT);
            assertThat(failures).as("what a client was acknowledged before a %s and missed after the restart"
                    + " (seed %d; logs in target/gateway-logs, store in %s)", mode, SEED, dir).isEmpty();
            passed = true;
        } finally {
            subscribers.forEach(DurableSubscriber::close);
            gw.close();
            if (passed) {
                deleteTree(dir);
            }
        }
    }

    private static Progress subscriberProgress(DurableSubscriber s, LoadPublisher p, long from, long to,
            String sentinel) {
        return new Progress() {
            @Override
            public long lost() {
                return s.lost(p, from, to);
            }

            @Override
            public boolean sentinel() {
                return s.sawSentinel(sentinel);
            }

            @Override
            public long quietMs() {
                return s.quietMs();
            }
        };
    }

    /** The sink's rows for one run's device, read through the console (each poll is one query). */
    static final class ReadingsProgress implements Progress {
        private final Console console;
        private final LoadPublisher readings;
        private final Run run;
        private final long sentinelSeq;
        Map<Long, Integer> stored = Map.of();
        private boolean sentinel;
        private long lastChange = System.nanoTime();

        ReadingsProgress(Console console, LoadPublisher readings, Run run, long sentinelSeq) {
            this.console = console;
            this.readings = readings;
            this.run = run;
            this.sentinelSeq = sentinelSeq;
        }

        @Override
        public boolean settled() throws Exception {
            Map<Long, Integer> now = Telemetry.stored(console, "default", run.device());
            boolean s = Telemetry.stored(console, "default", SENTINEL_DEVICE).containsKey(sentinelSeq);
            if (!now.equals(stored) || s != sentinel) {
                lastChange = System.nanoTime();
            }
            stored = now;
            sentinel = s;
            return Progress.super.settled();
        }

        @Override
        public long lost() {
            long n = 0;
            for (long id = run.rFrom(); id < run.rTo(); id++) {
                n += readings.acked(id) && !stored.containsKey(id) ? 1 : 0;
            }
            return n;
        }

        long duplicateRows() {
            return stored.values().stream().filter(n -> n > 1).count();
        }

        @Override
        public boolean sentinel() {
            return sentinel;
        }

        @Override
        public long quietMs() {
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastChange);
        }
    }

    /** Polls every consumer until each has settled; bounded by {@link #SETTLE_MAX_MS}. */
    private static void awaitSettled(Progress... progress) throws Exception {
        try {
            await("every consumer settled").atMost(Duration.ofMillis(SETTLE_MAX_MS))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        boolean all = true;
                        for (Progress p : progress) {
                            all &= p.settled();
                        }
                        return all;
                    });
        } catch (ConditionTimeoutException notSettled) {
            // the report and the assertions that follow say which consumer is missing what
        }
    }

    private static void report(int k, String what, LoadPublisher p, long from, long to, DurableSubscriber s,
            String sentinel) {
        long lost = s.lost(p, from, to);
        System.out.printf("CRASH kill %d %-12s sent=%d acked=%d delivered=%d lost=%d dup=%d new-message=%s%s%n", k,
                what, to - from, p.ackedCount(from, to), s.delivered(from, to), lost, s.duplicates(from, to),
                s.sawSentinel(sentinel) ? "ok" : "MISSING", lost == 0 ? "" : " first-lost=" + s.lostIds(p, from, to,
                        5));
    }

    /** A reading as the README describes it; the timestamp is unique per seq, so no two readings share a key. */
    static byte[] reading(String device, long seq) {
        return String.format(Locale.ROOT, "{\"device_id\":\"%s\",\"measurement\":\"temperature\",\"value\":%.1f,"
                + "\"unit\":\"°C\",\"timestamp\":\"%s\",\"seq\":%d}", device, 20 + (seq % 100) / 10.0,
                EPOCH.plusMillis(seq), seq).getBytes(StandardCharsets.UTF_8);
    }

    /** Publishes readings of the sentinel device until the sink stored one: its persistent session exists then. */
    private static void awaitSinkSession(String uri, Console console) throws Exception {
        MqttClient c = Clients.paho(uri, "crash-probe", true);
        c.setTimeToWait(15_000);
        try {
            await("the default sink stores a first reading").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                        c.publish(topic(SENTINEL_DEVICE), reading(SENTINEL_DEVICE, 0), 1, false);
                        return Telemetry.stored(console, "default", SENTINEL_DEVICE).containsKey(0L);
                    });
        } finally {
            Clients.close(c);
        }
    }

    static String topic(String device) {
        return "sensors/lab/temperature/" + device + "/reading";
    }

    /** After a restart: one new message for each subscriber and one new reading, all acknowledged. */
    private static void publishSentinels(String uri, String sentinel, long seq) throws Exception {
        MqttClient c = Clients.paho(uri, "crash-sentinel", true);
        c.setTimeToWait(15_000);
        try {
            c.publish(Q1_TOPIC, DurableSubscriber.sentinel(sentinel), 1, false);
            c.publish(Q2_TOPIC, DurableSubscriber.sentinel(sentinel), 2, false);
            c.publish(topic(SENTINEL_DEVICE), reading(SENTINEL_DEVICE, seq), 1, false);
        } finally {
            Clients.close(c);
        }
    }

    /** The id ("m123") of the retained message a new subscriber gets now, or null when none arrives within 5 s. */
    private static String retainedNow(String uri) throws Exception {
        MqttClient c = new MqttClient(uri, "crash-retained-" + System.nanoTime(), new MemoryPersistence());
        c.setTimeToWait(15_000);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        c.connect(o);
        try {
            AtomicReference<String> got = new AtomicReference<>();
            CountDownLatch one = new CountDownLatch(1);
            c.subscribe(RETAINED_TOPIC, 1, (t, m) -> {
                String payload = new String(m.getPayload(), StandardCharsets.UTF_8);
                if (m.isRetained() && got.compareAndSet(null, payload.substring(0, payload.indexOf(' ')))) {
                    one.countDown();
                }
            });
            one.await(5, TimeUnit.SECONDS); // a retained message comes with the SUBACK
            return got.get();
        } finally {
            Clients.close(c);
        }
    }

    /** "ok", "MISSING" or "OLDER" (than the last acknowledged update). */
    private static String retainedVerdict(LoadPublisher retained, String payload) {
        long lastAcked = retained.lastAcked();
        if (payload == null) {
            return lastAcked < 0 ? "ok" : "MISSING";
        }
        long id = Long.parseLong(payload.substring(1));
        if (id < lastAcked) {
            return "OLDER";
        }
        return id < retained.next() ? "ok" : "UNKNOWN";
    }

    private static void addIf(List<String> failures, long n, String what) {
        if (n > 0) {
            failures.add(n + " " + what);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            // best effort: it is under target/
        }
    }
}
