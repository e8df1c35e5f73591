package io.edgeport.broker.engine.internal;

import javax.net.ssl.SSLException;

import io.edgeport.broker.engine.EngineSettings;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

/**
 * The server TLS context from PEM files, as Mosquitto's cafile/certfile/keyfile (Moquette alone only reads a JKS
 * keystore). TLS 1.2 is the minimum; with a cafile clients may present a certificate signed by it, with
 * requireCertificate they must.
 */
final class PemSslContexts {

    private PemSslContexts() {
    }

    /** @throws IllegalStateException naming the files when they cannot be loaded */
    static SslContext build(EngineSettings s) {
        try {
            SslContextBuilder b = SslContextBuilder.forServer(s.certfile().toFile(), s.keyfile().toFile())
                    .sslProvider(SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2");
            if (s.cafile() != null) {
                b.trustManager(s.cafile().toFile());
                b.clientAuth(s.requireCertificate() ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
            } else {
                b.clientAuth(ClientAuth.NONE);
            }
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalStateException("Cannot load TLS certificate/key (" + s.certfile() + ", " + s.keyfile()
                    + "): " + e.getMessage(), e);
        }
    }
}
