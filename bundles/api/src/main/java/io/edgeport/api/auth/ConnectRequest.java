package io.edgeport.api.auth;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * What a client presented in its CONNECT packet and on its connection.
 *
 * @param clientId client identifier (possibly assigned by the broker when the client sent an empty one)
 * @param username username, or null when the client sent none
 * @param password password bytes, or null when the client sent none; providers must never log them
 * @param peerCertificates TLS client certificate chain, leaf first; empty without mutual TLS
 * @param remoteAddress the client's address, or null when unknown
 * @param listener the listener the client connected to, e.g. {@code mqtt}, {@code mqtts}, {@code ws}, {@code wss}
 * @since 1.0
 */
public record ConnectRequest(String clientId, String username, byte[] password,
        List<X509Certificate> peerCertificates, InetSocketAddress remoteAddress, String listener) {

    public ConnectRequest {
        Objects.requireNonNull(clientId, "clientId");
        peerCertificates = peerCertificates == null ? List.of() : List.copyOf(peerCertificates);
        listener = listener == null ? "" : listener;
    }

    /** Hides the password so that logging a request can never leak it. */
    @Override
    public String toString() {
        return "ConnectRequest[clientId=" + clientId + ", username=" + username + ", password="
                + (password == null ? "none" : "***") + ", certificates=" + peerCertificates.size() + ", remote="
                + remoteAddress + ", listener=" + listener + "]";
    }
}
