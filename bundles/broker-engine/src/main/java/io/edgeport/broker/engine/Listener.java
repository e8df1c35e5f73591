package io.edgeport.broker.engine;

/**
 * The listeners an engine can open. Each has its own port in {@link EngineSettings}.
 *
 * @since 1.0
 */
public enum Listener {
    /** MQTT over TCP. */
    TCP("mqtt"),
    /** MQTT over TLS. */
    TLS("mqtts"),
    /** MQTT over WebSocket (binary frames, on {@link EngineSettings#websocketPath()}). */
    WEBSOCKET("ws"),
    /** MQTT over WebSocket over TLS. */
    WSS("wss"),
    /**
     * Loopback only (127.0.0.1), for clients inside the gateway: only client ids starting with
     * {@link EngineSettings#internalClientIdPrefix()} with a username may connect there, such ids are refused on every
     * other listener, connections are not counted against {@code max_connections}, CONNECTs are never held (see
     * {@link Engine#admitClients()}) and the in-flight window is large. {@link EngineHooks#authenticate} still decides
     * whether the credentials are right.
     */
    INTERNAL("internal");

    private final String id;

    Listener(String id) {
        this.id = id;
    }

    /** @return the short name used in logs and URIs: mqtt, mqtts, ws, wss or internal */
    public String id() {
        return id;
    }
}
