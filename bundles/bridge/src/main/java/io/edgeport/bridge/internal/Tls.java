package io.edgeport.bridge.internal;

import javax.net.ssl.SSLSocketFactory;

import io.edgeport.commons.bridge.BridgeSettings;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

/** The TLS socket factory of a bridge from its PEM files (Netty reads PEM, as the broker's own listeners do). */
final class Tls {

    private Tls() {
    }

    /** @throws IllegalArgumentException naming the file that cannot be used */
    static SSLSocketFactory socketFactory(BridgeSettings s) {
        SslContextBuilder b = SslContextBuilder.forClient().sslProvider(SslProvider.JDK);
        try {
            b.trustManager(s.caFile().toFile());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("bridge_cafile: " + s.caFile() + " holds no PEM certificate: "
                    + Bridge.describe(e));
        }
        if (s.certFile() != null) {
            try {
                b.keyManager(s.certFile().toFile(), s.keyFile().toFile());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("bridge_certfile/bridge_keyfile: " + s.certFile() + ", "
                        + s.keyFile() + " are no PEM certificate and PKCS#8 key: " + Bridge.describe(e));
            }
        }
        SslContext ctx;
        try {
            ctx = b.build();
        } catch (javax.net.ssl.SSLException | RuntimeException e) {
            throw new IllegalArgumentException("bridge_cafile/bridge_certfile/bridge_keyfile: " + Bridge.describe(e));
        }
        return ((JdkSslContext) ctx).context().getSocketFactory();
    }
}
