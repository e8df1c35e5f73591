package io.edgeport.broker.engine;

import java.util.Objects;

/**
 * A connected client, as {@link Engine#connectedClients()} lists it.
 *
 * @param clientId client identifier
 * @param address the client's IP address
 * @param port the client's port
 * @since 1.0
 */
public record ClientInfo(String clientId, String address, int port) {

    public ClientInfo {
        Objects.requireNonNull(clientId, "clientId");
    }
}
