package io.edgeport.alerting.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.store.MessageStore;
import io.edgeport.api.store.StoreCursor;
import io.edgeport.api.store.StoredMessage;
import io.edgeport.api.telemetry.Reading;
import io.edgeport.api.telemetry.Readings;

/**
 * Everything the engine reacts to, read in process from the broker's message store at the engine's own position
 * ({@value #CONSUMER}): readings (decoded by the telemetry pipeline's {@link Readings} service, shared with the sinks),
 * device status ({@code status/+/health}, retained, Last Will) and acknowledgements ({@code alerts/ack/<alarm id>}),
 * in the order the broker accepted them. The position moves only after the engine stored what a batch changed, so
 * what arrives while the engine is stopped or updated waits in the store, and a database failure retries the batch.
 *
 * <p>Status payloads: JSON with {@code "status": "offline" | "online"} (the simulator's and the seed's), or the bare
 * words; an empty retained payload (the status was removed) counts as not offline; {@code "stopped"} (a planned stop,
 * e.g. the gateway's own simulator stopping) clears the offline alarm and forgets the device for stale rules. Anything
 * else is ignored.
 */
final class AlertingInput implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AlertingInput.class);
    static final String CONSUMER = "alerting";
    private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"([^\"]*)\"");
    private static final long FIRST_RETRY_MS = 100;
    private static final long MAX_RETRY_MS = 30_000;

    private final Supplier<MessageStore> store;
    private final Supplier<Readings> readings;
    private final String statusFilter;
    private final String ackFilter;
    private final AlarmEngine engine;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile StoreCursor cursor;
    /** The filters the cursor was opened with (readings' topics change with the telemetry configuration). */
    private List<String> openFilters = List.of();
    private long lastWarn;

    /** @param ackFilter empty for no MQTT acknowledgements */
    AlertingInput(Supplier<MessageStore> store, Supplier<Readings> readings, String statusFilter, String ackFilter,
            AlarmEngine engine) {
        this.store = store;
        this.readings = readings;
        this.statusFilter = statusFilter;
        this.ackFilter = ackFilter;
        this.engine = engine;
        this.thread = new Thread(this::run, "edgeport-alerting-input");
        this.thread.setDaemon(true);
    }

    AlertingInput start() {
        thread.start();
        return this;
    }

    /** Whether the engine is reading the store now. */
    boolean connected() {
        return cursor != null;
    }

    /** @return bytes of the store the engine has not read, -1 while it is not reading */
    long lagBytes() {
        StoreCursor c = cursor;
        try {
            return c == null ? -1 : c.lagBytes();
        } catch (IllegalStateException closed) {
            return -1;
        }
    }

    private List<String> filters() {
        List<String> f = new ArrayList<>();
        Readings r = readings.get();
        if (r != null) {
            f.addAll(r.topics());
        }
        f.add(statusFilter);
        if (!ackFilter.isEmpty()) {
            f.add(ackFilter);
        }
        return f;
    }

    private void run() {
        long backoff = FIRST_RETRY_MS;
        while (running) {
            try {
                StoreCursor c = cursor;
                if (c != null && !filters().equals(openFilters)) {
                    closeCursor(); // the readings' topics changed, or the telemetry pipeline came or went
                    c = null;
                }
                if (c == null) {
                    c = open();
                    if (c == null) {
                        pause(backoff);
                        backoff = Math.min(backoff * 2, 5_000);
                        continue;
                    }
                    backoff = FIRST_RETRY_MS;
                }
                List<StoredMessage> batch = c.poll(1000, 500);
                if (!batch.isEmpty()) {
                    process(batch);
                    c.commit(batch.get(batch.size() - 1).position());
                }
            } catch (InterruptedException e) {
                // close() interrupts; running tells
            } catch (IllegalStateException e) {
                closeCursor(); // the store closed it (broker restarting): open again where the position is
            } catch (java.io.IOException | RuntimeException e) {
                warn("cannot read the message store: " + e);
                closeCursor();
                pause(backoff);
            }
        }
    }

    private StoreCursor open() {
        MessageStore s = store.get();
        if (s == null) {
            return null; // the broker is not running yet: it is, in a moment
        }
        List<String> f = filters();
        try {
            StoreCursor c = s.open(CONSUMER, f);
            openFilters = f;
            cursor = c;
            LOG.info("Alerting: reading {} from the message store at position {}", f, c.committed());
            return c;
        } catch (java.io.IOException | RuntimeException e) {
            warn("cannot open its position in the message store: " + e);
            return null;
        }
    }

    /**
     * Hands a batch to the engine in order (readings in runs, status and acknowledgements one by one), retrying
     * with back-off until the engine stored it.
     */
    private void process(List<StoredMessage> batch) throws InterruptedException {
        long delay = FIRST_RETRY_MS;
        while (running) {
            try {
                apply(batch);
                return;
            } catch (Exception e) {
                warn("a batch of " + batch.size() + " messages was not stored (" + e + "); retrying");
                pause(delay);
                delay = Math.min(delay * 2, MAX_RETRY_MS);
            }
        }
        throw new InterruptedException("stopping");
    }

    private void apply(List<StoredMessage> batch) throws Exception {
        Readings r = readings.get();
        List<Reading> run = new ArrayList<>();
        for (StoredMessage m : batch) {
            if (isStatusOrAck(m.topic())) {
                if (!run.isEmpty()) {
                    engine.readings(run);
                    run = new ArrayList<>();
                }
                handle(m.topic(), m.payload());
            } else if (r != null) {
                r.decode(m).ifPresent(run::add);
            }
        }
        if (!run.isEmpty()) {
            engine.readings(run);
        }
    }

    private boolean isStatusOrAck(String topic) {
        return io.edgeport.commons.mqtt.TopicFilters.matches(statusFilter, topic) || !ackFilter.isEmpty() && io.edgeport.commons.mqtt.TopicFilters.matches(ackFilter,
                topic);
    }

    /** Handles one message; package-private for tests. */
    void handle(String topic, byte[] payload) throws Exception {
        if (!ackFilter.isEmpty() && io.edgeport.commons.mqtt.TopicFilters.matches(ackFilter, topic)) {
            String id = topic.substring(topic.lastIndexOf('/') + 1);
            String by = new String(payload, StandardCharsets.UTF_8).strip();
            by = by.isEmpty() ? "mqtt" : "mqtt:" + (by.length() > 64 ? by.substring(0, 64) : by);
            if (engine.acknowledge(id, by).isEmpty()) {
                LOG.info("Alerting: MQTT acknowledgement for unknown alarm '{}' ignored", id.length() > 64
                        ? id.substring(0, 64) : id);
            }
            return;
        }
        String device = device(statusFilter, topic);
        if (device == null || device.isEmpty()) {
            return;
        }
        if (stopped(payload)) {
            engine.stopped(topic, device);
            return;
        }
        Boolean offline = offline(payload);
        if (offline != null) {
            engine.status(topic, device, offline);
        }
    }

    /** The topic level where the filter has its first '+' (the last level when there is none). */
    static String device(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length && i < t.length; i++) {
            if (f[i].equals("+")) {
                return t[i];
            }
        }
        return t.length > 1 ? t[t.length - 2] : null;
    }

    /** @return whether the status says the device was stopped on purpose ("stopped": no failure, expect no data) */
    static boolean stopped(byte[] payload) {
        String s = new String(payload, StandardCharsets.UTF_8).strip();
        Matcher m = STATUS.matcher(s);
        return (m.find() ? m.group(1) : s).equalsIgnoreCase("stopped");
    }

    /** true offline, false online or removed, null not a status. */
    static Boolean offline(byte[] payload) {
        if (payload.length == 0) {
            return false;
        }
        String s = new String(payload, StandardCharsets.UTF_8).strip();
        Matcher m = STATUS.matcher(s);
        String v = m.find() ? m.group(1) : s;
        if (v.equalsIgnoreCase("offline")) {
            return true;
        }
        if (v.equalsIgnoreCase("online")) {
            return false;
        }
        return null;
    }

    private void closeCursor() {
        StoreCursor c = cursor;
        cursor = null;
        if (c != null) {
            try {
                c.close();
            } catch (RuntimeException e) {
                LOG.debug("Alerting: closing its cursor: {}", e.toString());
            }
        }
    }

    private void warn(String what) {
        long now = System.nanoTime();
        if (lastWarn == 0 || now - lastWarn > TimeUnit.MINUTES.toNanos(1)) {
            lastWarn = now;
            LOG.warn("Alerting: {} (logged once a minute)", what);
        }
    }

    private void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            // close() interrupts; running tells
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeCursor();
    }
}
