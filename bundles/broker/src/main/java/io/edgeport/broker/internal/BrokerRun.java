package io.edgeport.broker.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.broker.BrokerStatistics;
import io.edgeport.broker.engine.Engine;
import io.edgeport.broker.engine.EngineCounters;
import io.edgeport.broker.engine.EngineFactory;

/**
 * One run of the broker: one {@link Engine} started with one set of {@link Settings}, the {@code $SYS/broker/...}
 * topics it publishes every {@code sys_interval} seconds and the statistics. A configuration change makes a new run
 * (an engine cannot change its listeners). Thread-safe; not reusable after {@link #close()}.
 */
final class BrokerRun implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerRun.class);

    final Settings settings;
    private final Engine engine;
    private final AuthBridge auth;
    private final ObserverHub hub;
    private final String version;
    private final long startedNanos = System.nanoTime();
    private final ScheduledExecutorService timer;
    /** Touched only by the timer thread. */
    private final LoadAverage[] loads = { new LoadAverage(), new LoadAverage(), new LoadAverage(),
        new LoadAverage(), new LoadAverage() };
    private long lastSampleNanos = System.nanoTime();
    private volatile boolean closed;
    /** The message store's figures for $SYS; null while there is no store. */
    private volatile java.util.function.Supplier<io.edgeport.api.store.StoreStatistics> store = () -> null;

    private BrokerRun(Settings settings, Engine engine, AuthBridge auth, ObserverHub hub, String version) {
        this.settings = settings;
        this.engine = engine;
        this.auth = auth;
        this.hub = hub;
        this.version = version;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "edgeport-broker-sys");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts an engine (see {@link EngineFactory#start}) answering with {@code auth} and feeding {@code hub}.
     *
     * @param admitClients false: the engine holds CONNECTs until {@link Engine#admitClients()}
     * @throws IOException when the engine cannot start
     */
    static BrokerRun start(EngineFactory factory, Settings s, AuthBridge auth, ObserverHub hub, String version,
                           boolean admitClients) throws IOException {
        Engine engine = factory.start(s.engineSettings(admitClients), new BrokerHooks(auth, hub));
        BrokerRun run = new BrokerRun(s, engine, auth, hub, version);
        run.syncObservers();
        if (s.sysInterval() > 0) {
            run.timer.scheduleAtFixedRate(run::publishSys, 0, s.sysInterval(), TimeUnit.SECONDS);
        }
        return run;
    }

    Engine engine() {
        return engine;
    }

    /** Where $SYS gets the message store's figures from ($SYS/broker/store/...); the supplier may return null. */
    void storeStatistics(java.util.function.Supplier<io.edgeport.api.store.StoreStatistics> supplier) {
        this.store = supplier;
    }

    AuthBridge auth() {
        return auth;
    }

    /** Feeds publishes to the observers exactly while there are some (call after every observer change). */
    void syncObservers() {
        engine.observePublishes(hub.size() > 0);
    }

    List<String> listeners() {
        return engine.listeners();
    }

    void publish(String topic, byte[] payload, int qos, boolean retain) {
        engine.publish(topic, payload, qos, retain);
    }

    void publish(String topic, byte[] payload, int qos, boolean retain, String origin) {
        engine.publish(topic, payload, qos, retain, origin);
    }

    BrokerStatistics statistics() {
        return statistics(engine.counters());
    }

    private BrokerStatistics statistics(EngineCounters c) {
        return new BrokerStatistics(version, (System.nanoTime() - startedNanos) / 1_000_000_000L,
                c.clientsConnected(), c.clientsMaximum(), c.clientsConnected() + c.offlinePersistentSessions(),
                c.packetsReceived(), c.packetsSent(), c.bytesReceived(), c.bytesSent(), c.publishDropped(),
                c.subscriptions(), c.retainedMessages());
    }

    /** Mosquitto's $SYS/broker topics, retained, from one reading of the counters. */
    void publishSys() {
        try {
            EngineCounters c = engine.counters();
            BrokerStatistics st = statistics(c);
            long now = System.nanoTime();
            double secs = Math.max(0.001, (now - lastSampleNanos) / 1e9);
            lastSampleNanos = now;
            sys("version", st.version());
            sys("uptime", st.uptimeSeconds() + " seconds");
            sys("clients/connected", st.clientsConnected());
            sys("clients/active", st.clientsConnected());
            sys("clients/maximum", st.clientsMaximum());
            sys("clients/total", st.clientsTotal());
            sys("clients/disconnected", st.clientsTotal() - st.clientsConnected());
            sys("messages/received", st.messagesReceived());
            sys("messages/sent", st.messagesSent());
            sys("publish/messages/received", c.publishReceived());
            sys("publish/messages/sent", c.publishSent());
            sys("publish/bytes/received", c.publishBytesReceived());
            sys("publish/bytes/sent", c.publishBytesSent());
            sys("publish/messages/dropped", st.publishDropped());
            sys("bytes/received", st.bytesReceived());
            sys("bytes/sent", st.bytesSent());
            sys("subscriptions/count", st.subscriptions());
            sys("retained messages/count", st.retainedMessages());
            sys("load/messages/received/1min", round(loads[0].sample(st.messagesReceived(), secs)));
            sys("load/messages/sent/1min", round(loads[1].sample(st.messagesSent(), secs)));
            sys("load/bytes/received/1min", round(loads[2].sample(st.bytesReceived(), secs)));
            sys("load/bytes/sent/1min", round(loads[3].sample(st.bytesSent(), secs)));
            sys("load/publish/received/1min", round(loads[4].sample(c.publishReceived(), secs)));
            // connections closed for a peer's fault (malformed packets, failed TLS handshakes, resets, timeouts)
            c.peerErrors().forEach((reason, count) -> sys("errors/" + reason, count));
            io.edgeport.api.store.StoreStatistics ss = store.get();
            if (ss != null) {
                // what in-process consumers (sinks, alerting, bridges) read, and what retention took from them
                sys("store/messages/stored", ss.storedMessages());
                sys("store/messages/dropped", ss.droppedForRetention());
                for (io.edgeport.api.store.StoreStatistics.ConsumerPosition p : ss.consumers()) {
                    sys("store/consumers/" + p.name() + "/lag", p.lagBytes() + " bytes");
                }
            }
        } catch (RuntimeException e) {
            if (!closed) {
                LOG.warn("Could not publish $SYS topics", e);
            }
        }
    }

    private static String round(double d) {
        return String.format(Locale.ROOT, "%.2f", d);
    }

    private void sys(String topic, Object value) {
        // Retained QoS 0, as Mosquitto publishes them: late subscribers get the last value at once.
        publish("$SYS/broker/" + topic, String.valueOf(value).getBytes(StandardCharsets.UTF_8), 0, true);
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        engine.close();
    }
}
