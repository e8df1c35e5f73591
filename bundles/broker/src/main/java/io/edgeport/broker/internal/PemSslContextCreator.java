package io.edgeport.broker.internal;

import javax.net.ssl.SSLException;

import io.moquette.broker.ISslContextCreator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

/**
 * Builds the server TLS context from PEM files, as Mosquitto's cafile/certfile/keyfile do (Moquette alone only reads
 * a JKS keystore). TLS 1.2 is the minimum; with require_certificate, clients must present a certificate signed by
 * cafile.
 */
final class PemSslContextCreator implements ISslContextCreator {

    private final Settings settings;

    PemSslContextCreator(Settings settings) {
        this.settings = settings;
    }

    @Override
    public SslContext initSSLContext() {
        try {
            return build(settings);
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalStateException("Cannot load TLS certificate/key (" + settings.certfile() + ", "
                    + settings.keyfile() + "): " + e.getMessage(), e);
        }
    }

    static SslContext build(Settings s) throws SSLException {
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
    }
}
