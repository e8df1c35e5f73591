package io.edgeport.broker.engine.internal;

import java.util.Properties;

import io.edgeport.broker.engine.EngineSettings;
import io.edgeport.broker.engine.Listener;
import io.moquette.BrokerConstants;
import io.moquette.broker.EdgeportServer;
import io.moquette.broker.config.IConfig;
import io.moquette.broker.config.MemoryConfig;

/**
 * The one place where {@link EngineSettings} become Moquette configuration keys (the Edgeport handlers get theirs
 * from the settings directly, in {@link RunningEngine}). Stateless.
 */
final class MoquetteConfig {

    /** Netty's MQTT decoder limit must also fit the topic and headers around the payload. */
    static final int PACKET_OVERHEAD = 65_535 + 16;

    private MoquetteConfig() {
    }

    static IConfig of(EngineSettings s) {
        return new MemoryConfig(properties(s));
    }

    static Properties properties(EngineSettings s) {
        Properties p = new Properties();
        p.setProperty(BrokerConstants.HOST_PROPERTY_NAME, s.bindAddress());
        port(p, BrokerConstants.PORT_PROPERTY_NAME, s.port(Listener.TCP));
        port(p, BrokerConstants.WEB_SOCKET_PORT_PROPERTY_NAME, s.port(Listener.WEBSOCKET));
        p.setProperty(BrokerConstants.WEB_SOCKET_PATH_PROPERTY_NAME, s.websocketPath());
        port(p, BrokerConstants.SSL_PORT_PROPERTY_NAME, s.port(Listener.TLS));
        port(p, BrokerConstants.WSS_PORT_PROPERTY_NAME, s.port(Listener.WSS));
        p.setProperty(BrokerConstants.NEED_CLIENT_AUTH, Boolean.toString(s.requireCertificate()));
        boolean persistence = s.storeDirectory() != null;
        p.setProperty(BrokerConstants.PERSISTENCE_ENABLED_PROPERTY_NAME, Boolean.toString(persistence));
        if (persistence) {
            p.setProperty(BrokerConstants.DATA_PATH_PROPERTY_NAME, s.storeDirectory().toString());
        }
        p.setProperty(EdgeportServer.PERSISTENCE_SYNC_PROPERTY, s.fsync() ? "fsync" : "write");
        p.setProperty(BrokerConstants.AUTOSAVE_INTERVAL_PROPERTY_NAME, Integer.toString(s.autosaveInterval()));
        p.setProperty(BrokerConstants.ALLOW_ANONYMOUS_PROPERTY_NAME, Boolean.toString(s.allowAnonymous()));
        // mosquitto_pub/sub 2.x send an empty client id when none is given: accept it and assign one.
        p.setProperty(BrokerConstants.ALLOW_ZERO_BYTE_CLIENT_ID_PROPERTY_NAME, "true");
        // Moquette's telemetry posts to a remote host and writes .moquette_uuid: never.
        p.setProperty(BrokerConstants.ENABLE_TELEMETRY_NAME, "false");
        int payload = s.messageSizeLimit() > 0 ? s.messageSizeLimit() : EngineSettings.MAX_MESSAGE_SIZE_LIMIT;
        p.setProperty(BrokerConstants.NETTY_MAX_BYTES_PROPERTY_NAME, Integer.toString(payload + PACKET_OVERHEAD));
        p.setProperty(EdgeportServer.MAX_INFLIGHT_PROPERTY, Integer.toString(s.maxInflightMessages()));
        p.setProperty(EdgeportServer.MAX_QUEUED_PROPERTY, Integer.toString(s.maxQueuedMessages()));
        // One interceptor thread keeps observer order equal to acceptance order.
        p.setProperty(BrokerConstants.BROKER_INTERCEPTOR_THREAD_POOL_SIZE, "1");
        return p;
    }

    private static void port(Properties p, String key, int port) {
        p.setProperty(key, port == EngineSettings.OFF ? BrokerConstants.DISABLED_PORT_BIND : Integer.toString(port));
    }
}
