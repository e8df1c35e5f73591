package io.edgeport.broker.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.broker.BrokerStatistics;
import io.edgeport.broker.engine.Topics;
import io.moquette.BrokerConstants;
import io.moquette.broker.EdgeportServer;
import io.moquette.broker.Server;
import io.edgeport.broker.engine.internal.pipeline.ConnectAdmission;
import io.edgeport.broker.engine.internal.pipeline.PipelineAssembly;
import io.edgeport.broker.engine.internal.pipeline.TrafficCounter;
import io.moquette.broker.config.MemoryConfig;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;

/**
 * One running Moquette server with one set of {@link Settings}. A configuration change builds a new engine; Moquette
 * cannot change listeners while running. Not reusable after {@link #close()}.
 */
final class MoquetteEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MoquetteEngine.class);
    static final String MOQUETTE = Server.MOQUETTE_VERSION;

    final Settings settings;
    private final EdgeportServer server = new EdgeportServer();
    private final PipelineAssembly pipeline;
    private final BrokerEvents events;
    private final ObserverHub hub;
    private boolean tapped;
    private final AuthBridge auth;
    private final long startedNanos = System.nanoTime();
    private final ScheduledExecutorService timer;
    private final LoadAverage[] loads = { new LoadAverage(), new LoadAverage(), new LoadAverage(),
        new LoadAverage(), new LoadAverage() };
    private volatile boolean closed;

    private final String version;

    private MoquetteEngine(Settings settings, AuthBridge auth, ObserverHub hub, String version,
                           ConnectAdmission.Gate admission) {
        this.version = version;
        this.pipeline = new PipelineAssembly(settings.maxConnections(), settings.maxKeepalive(),
                settings.messageSizeLimit(), settings.identityMode(), Topics::matches, auth::anonymousWill,
                auth::mayPublish, auth::mayReceive, admission, io.edgeport.api.broker.InternalAccess.CLIENT_ID_PREFIX);
        this.settings = settings;
        this.auth = auth;
        this.events = new BrokerEvents(hub, auth);
        this.hub = hub;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "edgeport-broker-sys");
            t.setDaemon(true);
            return t;
        });
    }

    /** Feeds publishes to the observers exactly while there are some (call after every observer change). */
    synchronized void syncObservers() {
        boolean wanted = hub.size() > 0;
        if (closed || wanted == tapped) {
            return;
        }
        if (wanted) {
            server.addInterceptHandler(events.publishTap());
        } else {
            server.removeInterceptHandler(events.publishTap());
        }
        tapped = wanted;
    }

    static MoquetteEngine start(Settings s, AuthBridge auth, ObserverHub hub, String version) throws IOException {
        return start(s, auth, hub, version, new ConnectAdmission.Gate(true));
    }

    /** @param admission CONNECTs on the client listeners wait until it is open */
    static MoquetteEngine start(Settings s, AuthBridge auth, ObserverHub hub, String version,
                                ConnectAdmission.Gate admission) throws IOException {
        MoquetteEngine engine = new MoquetteEngine(s, auth, hub, version, admission);
        if (s.persistence()) {
            Files.createDirectories(s.persistenceLocation());
        }
        try {
            engine.startMoquette();
        } catch (RuntimeException | IOException e) {
            engine.close();
            Path store = s.persistenceLocation().resolve(EdgeportServer.STORE_FILE);
            if (!s.persistence() || !Files.exists(store) || e instanceof EdgeportServer.BindFailure) {
                throw e; // a port in use says nothing about the store: keep it
            }
            // A store that cannot be opened (damaged by something other than a crash: a crash only leaves a torn log
            // tail, which recovery drops). Keep the broker available: set the store aside, untouched, for
            // inspection, and start with an empty one.
            Path aside = store.resolveSibling(EdgeportServer.STORE_FILE + ".unreadable-" + System.currentTimeMillis());
            Files.move(store, aside);
            Path log = s.persistenceLocation().resolve(EdgeportServer.STORE_LOG_DIR);
            if (Files.exists(log)) {
                Files.move(log, log.resolveSibling(log.getFileName() + ".unreadable-" + System.currentTimeMillis()));
            }
            LOG.error("The broker store {} could not be opened ({}); it was moved to {} and the broker starts with"
                    + " an empty store: retained messages and persistent sessions from before are not restored",
                    store, e.toString(), aside);
            engine = new MoquetteEngine(s, auth, hub, version, admission);
            try {
                engine.startMoquette();
            } catch (RuntimeException | IOException e2) {
                engine.close();
                throw e2;
            }
        }
        engine.syncObservers();
        if (s.sysInterval() > 0) {
            engine.timer.scheduleAtFixedRate(engine::publishSys, 0, s.sysInterval(), TimeUnit.SECONDS);
        }
        return engine;
    }

    static Properties moquetteProperties(Settings s) {
        Properties p = new Properties();
        String off = BrokerConstants.DISABLED_PORT_BIND;
        p.setProperty(BrokerConstants.HOST_PROPERTY_NAME, s.bindAddress());
        p.setProperty(BrokerConstants.PORT_PROPERTY_NAME, s.port() > 0 ? Integer.toString(s.port()) : off);
        p.setProperty(BrokerConstants.WEB_SOCKET_PORT_PROPERTY_NAME,
                s.websocketPort() > 0 ? Integer.toString(s.websocketPort()) : off);
        p.setProperty(BrokerConstants.WEB_SOCKET_PATH_PROPERTY_NAME, s.websocketPath());
        if (s.tlsPort() > 0) {
            p.setProperty(BrokerConstants.SSL_PORT_PROPERTY_NAME, Integer.toString(s.tlsPort()));
        }
        if (s.wssPort() > 0) {
            p.setProperty(BrokerConstants.WSS_PORT_PROPERTY_NAME, Integer.toString(s.wssPort()));
        }
        p.setProperty(BrokerConstants.NEED_CLIENT_AUTH, Boolean.toString(s.requireCertificate()));
        p.setProperty(BrokerConstants.PERSISTENCE_ENABLED_PROPERTY_NAME, Boolean.toString(s.persistence()));
        p.setProperty(BrokerConstants.DATA_PATH_PROPERTY_NAME, s.persistenceLocation().toString());
        p.setProperty(EdgeportServer.PERSISTENCE_SYNC_PROPERTY, s.persistenceSync());
        p.setProperty(BrokerConstants.AUTOSAVE_INTERVAL_PROPERTY_NAME, Integer.toString(s.autosaveInterval()));
        p.setProperty(BrokerConstants.ALLOW_ANONYMOUS_PROPERTY_NAME, Boolean.toString(s.allowAnonymous()));
        // mosquitto_pub/sub 2.x send an empty client id when none is given: accept it and assign one.
        p.setProperty(BrokerConstants.ALLOW_ZERO_BYTE_CLIENT_ID_PROPERTY_NAME, "true");
        // Moquette's telemetry posts to a remote host and writes .moquette_uuid: never.
        p.setProperty(BrokerConstants.ENABLE_TELEMETRY_NAME, "false");
        p.setProperty(BrokerConstants.NETTY_MAX_BYTES_PROPERTY_NAME,
                Integer.toString(s.messageSizeLimit() + Settings.PACKET_OVERHEAD));
        p.setProperty(EdgeportServer.MAX_INFLIGHT_PROPERTY, Integer.toString(s.maxInflightMessages()));
        p.setProperty(EdgeportServer.MAX_QUEUED_PROPERTY, Integer.toString(s.maxQueuedMessages()));
        // Gateway components (sink pipelines, rules) connect here; any free loopback port.
        p.setProperty(EdgeportServer.INTERNAL_PORT_PROPERTY, "0");
        // One interceptor thread keeps observer order equal to acceptance order.
        p.setProperty(BrokerConstants.BROKER_INTERCEPTOR_THREAD_POOL_SIZE, "1");
        return p;
    }

    private void startMoquette() throws IOException {
        server.start(new MemoryConfig(moquetteProperties(settings)), List.of(events),
                settings.tlsPort() > 0 || settings.wssPort() > 0 ? new PemSslContextCreator(settings) : null, auth,
                auth, pipeline);
    }

    AuthBridge auth() {
        return auth;
    }

    /** @return the port of the internal listener, or -1 when it is not bound */
    int internalPort() {
        return server.boundPort(EdgeportServer.INTERNAL);
    }

    List<String> listeners() {
        return settings.listenerUris();
    }

    void publish(String topic, byte[] payload, int qos, boolean retain) {
        if (closed) {
            throw new IllegalStateException("broker is stopping");
        }
        if (!Topics.isValidTopic(topic)) {
            throw new IllegalArgumentException("not a valid topic name: '" + topic + "'");
        }
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("QoS must be 0, 1 or 2: " + qos);
        }
        MqttFixedHeader fixed = new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.valueOf(qos), retain, 0);
        MqttPublishMessage msg = new MqttPublishMessage(fixed, new MqttPublishVariableHeader(topic, 0),
                Unpooled.copiedBuffer(payload));
        // internalPublish takes ownership of the payload buffer and releases it: releasing it here as well freed
        // it while session threads were still writing it to subscribers (lost and duplicated messages).
        server.internalPublish(msg, BrokerEvents.BROKER_CLIENT);
    }

    BrokerStatistics statistics() {
        long connected = server.listConnectedClients().size();
        long max = Math.max(connected, pipeline.connectGuard().peak());
        TrafficCounter t = pipeline.traffic();
        return new BrokerStatistics(version, (System.nanoTime() - startedNanos) / 1_000_000_000L, connected, max,
                connected + events.offlinePersistentSessions(), t.packetsReceived(), t.packetsSent(),
                t.bytesReceived(), t.bytesSent(), pipeline.publishGuard().droppedPublishes(),
                server.subscriptionCount(), server.retainedCount());
    }

    private long lastSampleNanos = System.nanoTime();

    private void publishSys() {
        try {
            BrokerStatistics st = statistics();
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
            TrafficCounter t = pipeline.traffic();
            sys("publish/messages/received", t.publishReceived());
            sys("publish/messages/sent", t.publishSent());
            sys("publish/bytes/received", t.publishBytesReceived());
            sys("publish/bytes/sent", t.publishBytesSent());
            sys("publish/messages/dropped", st.publishDropped());
            sys("bytes/received", st.bytesReceived());
            sys("bytes/sent", st.bytesSent());
            sys("subscriptions/count", st.subscriptions());
            sys("retained messages/count", st.retainedMessages());
            sys("load/messages/received/1min", round(loads[0].sample(st.messagesReceived(), secs)));
            sys("load/messages/sent/1min", round(loads[1].sample(st.messagesSent(), secs)));
            sys("load/bytes/received/1min", round(loads[2].sample(st.bytesReceived(), secs)));
            sys("load/bytes/sent/1min", round(loads[3].sample(st.bytesSent(), secs)));
            sys("load/publish/received/1min", round(loads[4].sample(t.publishReceived(), secs)));
        } catch (RuntimeException e) {
            if (!closed) {
                LOG.warn("Could not publish $SYS topics", e);
            }
        }
    }

    private static String round(double d) {
        return String.format(java.util.Locale.ROOT, "%.2f", d);
    }

    private void sys(String topic, Object value) {
        // Retained QoS 0, as Mosquitto publishes them: late subscribers get the last value at once.
        publish("$SYS/broker/" + topic, String.valueOf(value).getBytes(StandardCharsets.UTF_8), 0, true);
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        safeStop(server);
    }

    private static void safeStop(EdgeportServer server) {
        try {
            server.stop();
        } catch (RuntimeException e) {
            LOG.warn("Moquette did not stop cleanly", e);
        }
    }
}
