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
    WSS("wss");

    private final String id;

    Listener(String id) {
        this.id = id;
    }

    /** @return the short name used in logs and URIs: mqtt, mqtts, ws or wss */
    public String id() {
        return id;
    }
}
