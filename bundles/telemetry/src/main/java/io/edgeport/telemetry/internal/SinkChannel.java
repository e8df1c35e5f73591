package io.edgeport.telemetry.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.broker.InternalAccess;
import io.edgeport.api.telemetry.Reading;
import io.edgeport.api.telemetry.RejectedMessage;
import io.edgeport.api.telemetry.TelemetrySink;

/**
 * One sink's durable path from the broker: a persistent MQTT session ({@code clean session = false}, QoS 1) whose
 * messages are acknowledged only after the sink returned from {@code store}. While the sink is away the broker keeps
 * its messages; messages that were in flight come again at the next connection. One worker thread does everything
 * that touches the sink, so the sink sees one call at a time.
 *
 * <p>A message the broker resends while the worker still holds it (same packet id, not yet acknowledged) is dropped:
 * the acknowledgement after the commit covers both.
 */
final class SinkChannel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SinkChannel.class);
    static final long FIRST_RETRY_MS = 100;
    private static final long CONNECT_TIMEOUT_MS = 15_000;
    private static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    /** One message as the broker delivered it on connection {@code generation}. */
    record Incoming(int generation, int id, int qos, String topic, byte[] payload, Instant receivedAt) {
    }

    /** The settings of one channel. */
    record Options(String name, List<String> filters, int batchSize, long flushMs, long retryMaxMs) {
    }

    private final Options options;
    private final TelemetrySink sink;
    private final Supplier<ReadingDecoder> decoder;
    private final Function<String, InternalAccess> access;
    private final RejectLog rejectLog;
    private final LinkedBlockingQueue<Incoming> queue = new LinkedBlockingQueue<>();
    /** Packet ids received on the current connection and not yet acknowledged. */
    private final Set<Integer> pending = ConcurrentHashMap.newKeySet();
    private final Thread worker;
    private volatile boolean running = true;
    private volatile MqttAsyncClient client;
    private volatile int generation;
    private long lastFailureLog;

    final AtomicLong received = new AtomicLong();
    final AtomicLong stored = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong resendsDropped = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    volatile String lastError = "";

    /**
     * @param access (internal client name) → broker connection; throws IllegalStateException while no broker runs
     */
    SinkChannel(Options options, TelemetrySink sink, Supplier<ReadingDecoder> decoder,
            Function<String, InternalAccess> access, RejectLog rejectLog) {
        this.options = options;
        this.sink = sink;
        this.decoder = decoder;
        this.access = access;
        this.rejectLog = rejectLog;
        this.worker = new Thread(null, this::run, "edgeport-sink-" + options.name(), 256 * 1024);
        this.worker.setDaemon(true);
    }

    /** The broker's name for this sink's session. */
    static String clientName(String sinkName) {
        return "sink-" + sinkName;
    }

    SinkChannel start() {
        worker.start();
        return this;
    }

    Options options() {
        return options;
    }

    boolean connected() {
        MqttAsyncClient c = client;
        return c != null && c.isConnected();
    }

    int queued() {
        return queue.size();
    }

    /**
     * Stops taking messages: a batch being stored is finished and acknowledged, one waiting for a retry is left to
     * the broker. Waits up to {@code waitMs} for the worker.
     */
    void close(long waitMs) {
        running = false;
        worker.interrupt();
        try {
            worker.join(waitMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker.isAlive()) {
            LOG.warn("Sink '{}' did not return from store within {} ms; its session is left to the broker",
                    options.name(), waitMs);
        }
        disconnect();
    }

    @Override
    public void close() {
        close(15_000);
    }

    private void run() {
        long backoff = FIRST_RETRY_MS;
        while (running) {
            if (!connected()) {
                if (!connect()) {
                    pause(backoff);
                    backoff = Math.min(backoff * 2, Math.max(FIRST_RETRY_MS, options.retryMaxMs()));
                    continue;
                }
                backoff = FIRST_RETRY_MS;
            }
            List<Incoming> batch;
            try {
                batch = nextBatch();
            } catch (InterruptedException e) {
                continue; // running is false
            }
            if (!batch.isEmpty()) {
                process(batch);
            }
        }
    }

    private boolean connect() {
        disconnect();
        queue.clear();
        pending.clear();
        InternalAccess a;
        try {
            a = access.apply(clientName(options.name()));
        } catch (RuntimeException e) {
            noteFailure("no broker: " + e.getMessage(), null);
            return false;
        }
        int gen = ++generation;
        MqttAsyncClient c = null;
        try {
            c = new MqttAsyncClient(a.uri(), a.clientId(), new MemoryPersistence());
            c.setManualAcks(true);
            c.setCallback(new Callback(gen));
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(false);
            o.setAutomaticReconnect(false);
            o.setKeepAliveInterval(30);
            o.setConnectionTimeout((int) (CONNECT_TIMEOUT_MS / 1000));
            o.setUserName(a.username());
            o.setPassword(a.password().toCharArray());
            c.connect(o).waitForCompletion(CONNECT_TIMEOUT_MS);
            String[] filters = options.filters().toArray(String[]::new);
            int[] qos = new int[filters.length];
            java.util.Arrays.fill(qos, 1);
            // Re-subscribing a persistent session is harmless (same filters replace themselves); it also applies
            // filters changed by configuration.
            c.subscribe(filters, qos).waitForCompletion(CONNECT_TIMEOUT_MS);
            client = c;
            LOG.info("Sink '{}' connected to the broker as '{}', filters {}", options.name(), a.clientId(),
                    options.filters());
            return true;
        } catch (MqttException | RuntimeException e) {
            noteFailure("cannot connect to the broker: " + e, null);
            closeQuietly(c);
            return false;
        }
    }

    private void disconnect() {
        MqttAsyncClient c = client;
        client = null;
        if (c != null) {
            try {
                if (c.isConnected()) {
                    c.disconnect(0).waitForCompletion(2_000);
                }
            } catch (MqttException | RuntimeException e) {
                LOG.debug("Sink '{}': disconnect: {}", options.name(), e.toString());
            }
            closeQuietly(c);
        }
    }

    private static void closeQuietly(MqttAsyncClient c) {
        if (c == null) {
            return;
        }
        try {
            if (c.isConnected()) {
                c.disconnectForcibly(0, 1_000);
            }
            c.close(true);
        } catch (MqttException | RuntimeException e) {
            // closing anyway
        }
    }

    /** The first message waits up to 500 ms (to notice stops); then up to flushMs or batchSize messages. */
    private List<Incoming> nextBatch() throws InterruptedException {
        List<Incoming> batch = new ArrayList<>();
        Incoming first = queue.poll(500, TimeUnit.MILLISECONDS);
        if (first == null) {
            return batch;
        }
        batch.add(first);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.flushMs());
        while (batch.size() < options.batchSize()) {
            queue.drainTo(batch, options.batchSize() - batch.size());
            long left = deadline - System.nanoTime();
            if (batch.size() >= options.batchSize() || left <= 0) {
                break;
            }
            Incoming next = queue.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            batch.add(next);
        }
        return batch;
    }

    private void process(List<Incoming> batch) {
        int gen = generation;
        ReadingDecoder d = decoder.get();
        List<Incoming> current = new ArrayList<>(batch.size());
        List<Reading> readings = new ArrayList<>(batch.size());
        List<RejectedMessage> bad = new ArrayList<>();
        for (Incoming m : batch) {
            if (m.generation() != gen) {
                continue; // from a connection that is gone: the broker sends it again
            }
            current.add(m);
            ReadingDecoder.Result r = d.decode(m.topic(), m.payload(), m.receivedAt());
            if (r.reading() != null) {
                readings.add(r.reading());
            } else {
                bad.add(new RejectedMessage(m.topic(), m.payload(), r.reason(), m.receivedAt()));
                rejectLog.rejected(options.name(), m.topic(), r.reason());
            }
        }
        if (current.isEmpty()) {
            return;
        }
        long delay = FIRST_RETRY_MS;
        for (;;) {
            if (!running || gen != generation || !connected()) {
                return; // not acknowledged: the broker keeps them
            }
            try {
                if (!readings.isEmpty()) {
                    sink.store(List.copyOf(readings));
                }
                if (!bad.isEmpty()) {
                    sink.storeRejected(List.copyOf(bad));
                }
                break;
            } catch (Exception | LinkageError e) {
                noteFailure("store failed: " + e, e);
                pause(delay);
                delay = Math.min(delay * 2, Math.max(FIRST_RETRY_MS, options.retryMaxMs()));
            }
        }
        stored.addAndGet(readings.size());
        rejected.addAndGet(bad.size());
        MqttAsyncClient c = client;
        for (Incoming m : current) {
            if (m.qos() > 0) {
                try {
                    if (c != null) {
                        c.messageArrivedComplete(m.id(), m.qos());
                    }
                } catch (MqttException | RuntimeException e) {
                    // connection gone: the broker sends it again and the sink ignores the copy
                    LOG.debug("Sink '{}': cannot acknowledge {}: {}", options.name(), m.id(), e.toString());
                }
                pending.remove(m.id());
            }
        }
    }

    private void noteFailure(String what, Throwable e) {
        failures.incrementAndGet();
        lastError = what;
        long now = System.nanoTime();
        if (lastFailureLog == 0 || now - lastFailureLog > LOG_EVERY_NANOS) {
            lastFailureLog = now;
            LOG.warn("Sink '{}': {} (retrying with back-off up to {} ms; logged once a minute)", options.name(),
                    what, options.retryMaxMs());
            if (e != null) {
                LOG.debug("Sink '{}' failure", options.name(), e);
            }
        }
    }

    private void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            // close() interrupts; running tells
        }
    }

    private final class Callback implements MqttCallback {
        private final int gen;

        Callback(int gen) {
            this.gen = gen;
        }

        @Override
        public void connectionLost(Throwable cause) {
            if (running) {
                noteFailure("connection to the broker lost: " + cause, null);
            }
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            if (gen != generation) {
                return;
            }
            if (message.getQos() > 0 && !pending.add(message.getId())) {
                resendsDropped.incrementAndGet();
                return;
            }
            received.incrementAndGet();
            queue.add(new Incoming(gen, message.getId(), message.getQos(), topic, message.getPayload(),
                    Instant.now()));
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // this client does not publish
        }
    }
}
