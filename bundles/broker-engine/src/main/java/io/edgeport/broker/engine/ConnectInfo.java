package io.edgeport.broker.engine;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * What a client presented in its CONNECT packet and on its connection, for {@link EngineHooks#authenticate}.
 *
 * @param clientId client identifier (assigned by the engine when the client sent an empty one)
 * @param username username, or null when the client sent none
 * @param password password bytes, or null when the client sent none; never log them
 * @param peerCertificates the TLS client certificate chain, leaf first; empty without one
 * @param remoteAddress the client's address, or null when unknown
 * @param listener the listener the client connected to
 * @param willTopic the topic of the client's Last Will, or null when it has none
 * @param certificateIdentity the username taken from the client certificate when
 *        {@link EngineSettings#certificateUsername()} is not {@code NONE} (then {@code username} equals it and the
 *        TLS handshake has authenticated it); null otherwise
 * @since 1.0
 */
public record ConnectInfo(String clientId, String username, byte[] password, List<X509Certificate> peerCertificates,
        InetSocketAddress remoteAddress, Listener listener, String willTopic, String certificateIdentity) {

    public ConnectInfo {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(listener, "listener");
        peerCertificates = peerCertificates == null ? List.of() : List.copyOf(peerCertificates);
    }

    /** Hides the password so that logging a connect can never leak it. */
    @Override
    public String toString() {
        return "ConnectInfo[clientId=" + clientId + ", username=" + username + ", password="
                + (password == null ? "none" : "***") + ", certificates=" + peerCertificates.size() + ", remote="
                + remoteAddress + ", listener=" + listener + ", willTopic=" + willTopic + ", certificateIdentity="
                + certificateIdentity + "]";
    }
}
