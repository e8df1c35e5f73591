package io.edgeport.broker.engine.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.broker.engine.ClientInfo;
import io.edgeport.broker.engine.Engine;
import io.edgeport.broker.engine.EngineCounters;
import io.edgeport.broker.engine.EngineHooks;
import io.edgeport.broker.engine.EngineSettings;
import io.edgeport.broker.engine.Listener;
import io.edgeport.broker.engine.Topics;
import io.edgeport.broker.engine.internal.pipeline.ConnectAdmission;
import io.edgeport.broker.engine.internal.pipeline.ChannelPipelines;
import io.edgeport.broker.engine.internal.pipeline.TrafficCounter;
import io.moquette.broker.EdgeportServer;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;

/**
 * One running Moquette server with one set of {@link EngineSettings}. Moquette cannot change listeners while running:
 * new settings need a new engine. Thread-safe; not reusable after {@link #close()}.
 */
final class RunningEngine implements Engine {

    private static final Logger LOG = LoggerFactory.getLogger(RunningEngine.class);

    private final EngineSettings settings;
    private final EdgeportServer server = new EdgeportServer();
    private final ChannelPipelines pipeline;
    private final HookBridge bridge;
    private final EngineEvents events;
    private boolean observed;
    private volatile boolean closed;

    private RunningEngine(EngineSettings settings, EngineHooks hooks) {
        this.settings = settings;
        this.bridge = new HookBridge(hooks);
        this.events = new EngineEvents(bridge);
        this.pipeline = new ChannelPipelines(settings.maxConnections(), settings.maxKeepalive(),
                settings.messageSizeLimit(), settings.certificateUsername(), Topics::matches, bridge, bridge, bridge,
                new ConnectAdmission.Gate(settings.admitClients()))
                .limitConnections(new io.edgeport.broker.engine.internal.pipeline.ConnectionLimiter(
                        settings.maxPendingConnects(), settings.connectRateLimit(), settings.limitLoopbackConnects()));
    }

    /** See {@link io.edgeport.broker.engine.EngineFactory#start}; without a message log (tests). */
    static RunningEngine start(EngineSettings s, EngineHooks hooks) throws IOException {
        return start(s, hooks, null);
    }

    /** @param messages the log in-process consumers read, null for none */
    static RunningEngine start(EngineSettings s, EngineHooks hooks,
                               io.edgeport.broker.engine.internal.store.MessageLog messages) throws IOException {
        RunningEngine engine = new RunningEngine(s, hooks);
        engine.server.useMessageLog(messages);
        Path dir = s.storeDirectory();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        try {
            engine.startMoquette();
        } catch (RuntimeException | IOException e) {
            engine.close();
            Path store = dir == null ? null : dir.resolve(EdgeportServer.STORE_FILE);
            if (store == null || !Files.exists(store) || e instanceof EdgeportServer.BindFailure) {
                throw e; // a port in use says nothing about the store: keep it
            }
            // A store that cannot be opened (damaged by something other than a crash: a crash only leaves a torn log
            // tail, which recovery drops). Keep the broker available: set the store aside, untouched, for
            // inspection, and start with an empty one.
            Path aside = store.resolveSibling(EdgeportServer.STORE_FILE + ".unreadable-" + System.currentTimeMillis());
            Files.move(store, aside);
            Path log = dir.resolve(EdgeportServer.STORE_LOG_DIR);
            if (Files.exists(log)) {
                Files.move(log, log.resolveSibling(log.getFileName() + ".unreadable-" + System.currentTimeMillis()));
            }
            LOG.error("The broker store {} could not be opened ({}); it was moved to {} and the broker starts with"
                    + " an empty store: retained messages and persistent sessions from before are not restored",
                    store, e.toString(), aside);
            engine = new RunningEngine(s, hooks);
            engine.server.useMessageLog(messages);
            try {
                engine.startMoquette();
            } catch (RuntimeException | IOException e2) {
                engine.close();
                throw e2;
            }
        }
        return engine;
    }

    private void startMoquette() throws IOException {
        boolean tls = settings.isOn(Listener.TLS) || settings.isOn(Listener.WSS);
        server.start(MoquetteConfig.of(settings), List.of(events), tls ? () -> PemSslContexts.build(settings) : null,
                bridge, bridge, pipeline);
    }

    @Override
    public void admitClients() {
        pipeline.admission().open();
    }

    @Override
    public int boundPort(Listener listener) {
        return server.boundPort(listener.id());
    }

    @Override
    public List<String> listeners() {
        List<String> uris = new ArrayList<>();
        String bind = settings.bindAddress();
        String host = bind.contains(":") ? "[" + bind + "]" : bind;
        uri(uris, "mqtt://" + host, Listener.TCP, "");
        uri(uris, "mqtts://" + host, Listener.TLS, "");
        uri(uris, "ws://" + host, Listener.WEBSOCKET, settings.websocketPath());
        uri(uris, "wss://" + host, Listener.WSS, settings.websocketPath());
        return uris;
    }

    private void uri(List<String> uris, String prefix, Listener listener, String path) {
        int port = boundPort(listener);
        if (port > 0) {
            uris.add(prefix + ":" + port + path);
        }
    }

    @Override
    public void publish(String topic, byte[] payload, int qos, boolean retain) {
        publish(topic, payload, qos, retain, "");
    }

    @Override
    public void publish(String topic, byte[] payload, int qos, boolean retain, String origin) {
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
        server.internalPublish(msg, EngineEvents.ENGINE_CLIENT, origin);
    }

    @Override
    public synchronized void observePublishes(boolean on) {
        if (closed || on == observed) {
            return;
        }
        if (on) {
            server.addInterceptHandler(events.publishTap());
        } else {
            server.removeInterceptHandler(events.publishTap());
        }
        observed = on;
    }

    @Override
    public EngineCounters counters() {
        long connected = server.listConnectedClients().size();
        long max = Math.max(connected, pipeline.connectGuard().peak());
        TrafficCounter t = pipeline.traffic();
        return new EngineCounters(connected, max, events.offlinePersistentSessions(), t.packetsReceived(),
                t.packetsSent(), t.bytesReceived(), t.bytesSent(), t.publishReceived(), t.publishSent(),
                t.publishBytesReceived(), t.publishBytesSent(), pipeline.publishGuard().droppedPublishes(),
                server.subscriptionCount(), server.retainedCount(), peerErrors());
    }

    /** The pipelines' peer errors, and the messages dropped for clients that do not read. */
    private java.util.Map<String, Long> peerErrors() {
        java.util.Map<String, Long> out = new java.util.TreeMap<>(pipeline.peerErrors().counts());
        out.put("slow_consumer", io.edgeport.broker.engine.internal.pipeline.OutboundPressure
                .droppedForSlowConsumers());
        out.put("stuck_subscriber", io.edgeport.broker.engine.internal.session.PacedQueue
                .droppedForStuckSubscribers());
        return out;
    }

    @Override
    public List<ClientInfo> connectedClients() {
        return server.listConnectedClients().stream()
                .map(c -> new ClientInfo(c.getClientID(), c.getAddress(), c.getPort())).toList();
    }

    @Override
    public boolean disconnect(String clientId) {
        return server.disconnectClient(clientId);
    }

    @Override
    public List<io.edgeport.broker.engine.RetainedInfo> retained(String topicFilter, int limit) {
        return server.retained(topicFilter, limit);
    }

    @Override
    public List<io.edgeport.broker.engine.SessionInfo> sessions(String clientIdPrefix, int limit) {
        return server.sessions(clientIdPrefix, limit);
    }

    @Override
    public boolean deleteSession(String clientId) {
        return server.deleteSession(clientId);
    }

    @Override
    public long queuedMessages() {
        return server.queuedMessages();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.stop();
        } catch (RuntimeException e) {
            LOG.warn("Moquette did not stop cleanly", e);
        }
    }
}
