package io.edgeport.api.broker;

import java.util.Objects;

/**
 * A client connected to the broker now.
 *
 * @param clientId its MQTT client identifier
 * @param address the remote address it connects from
 * @param port the remote port
 * @since 2.1
 */
public record ConnectedClient(String clientId, String address, int port) {

    public ConnectedClient {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(address, "address");
    }
}
