package io.edgeport.broker.engine.internal.pipeline;

import io.edgeport.broker.engine.EngineSettings.CertificateUsername;
import io.edgeport.broker.engine.Topics;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.moquette.broker.EdgeportServer;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.broker.security.IAuthenticator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

/**
 * The TLS and secure WebSocket listeners, with use_identity_as_username: the authenticator sees the certificate's CN as
 * username and the certificate itself through {@link ConnectContext#current()}.
 */
class EdgeportServerTlsTest {

    @TempDir
    static Path dir;
    static TestCertificates server;
    static TestCertificates device;

    private final EdgeportServer broker = new EdgeportServer();
    private final List<String> authenticated = new CopyOnWriteArrayList<>();
    private MqttClient client;

    @BeforeAll
    static void certificates() throws Exception {
        server = TestCertificates.create(dir, "CN=localhost");
        device = TestCertificates.create(dir, "CN=device-9,O=Edgeport");
    }

    @AfterEach
    void tearDown() throws MqttException {
        if (client != null) {
            if (client.isConnected()) {
                client.disconnectForcibly(100, 100);
            }
            client.close(true);
        }
        broker.stop();
    }

    private void startBroker() throws Exception {
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        p.setProperty("port", "disabled");
        p.setProperty("ssl_port", "0");
        p.setProperty("secure_websocket_port", "0");
        p.setProperty("persistence_enabled", "false");
        p.setProperty("allow_anonymous", "false");
        SslContext ssl = SslContextBuilder.forServer(server.key, server.cert).sslProvider(SslProvider.JDK)
                .trustManager(device.cert).clientAuth(ClientAuth.OPTIONAL).build();
        // Accepts a client only when the username is the CN of the certificate on this very connection.
        IAuthenticator auth = (clientId, username, password) -> {
            List<X509Certificate> chain = TlsIdentity.peerCertificates(ConnectContext.current().channel());
            boolean ok = !chain.isEmpty() && ("device-9".equals(username))
                    && chain.get(0).getSubjectX500Principal().getName().startsWith("CN=" + username);
            if (ok) {
                authenticated.add(clientId + ":" + username);
            }
            return ok;
        };
        broker.start(new MemoryConfig(p), List.of(), ssl, auth, null,
                new ChannelPipelines(0, 65_535, 0, CertificateUsername.CN, Topics::matches));
    }

    private static MqttConnectOptions options(boolean withCertificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", server.cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        if (withCertificate) {
            keys.setKeyEntry("device", device.key, "pw".toCharArray(), new Certificate[] {device.cert});
        }
        kmf.init(keys, "pw".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setSocketFactory(ctx.getSocketFactory());
        o.setHttpsHostnameVerificationEnabled(false); // the test certificate names localhost, we dial 127.0.0.1
        o.setConnectionTimeout(10);
        o.setUserName("someone-else"); // replaced by the certificate's CN
        o.setPassword("ignored".toCharArray());
        return o;
    }

    private void connectAndEcho(String uri, String id) throws Exception {
        client = new MqttClient(uri, id, new MemoryPersistence());
        client.setTimeToWait(10_000);
        client.connect(options(true));
        List<String> got = new CopyOnWriteArrayList<>();
        client.subscribe("tls/echo", 1, (t, m) -> got.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
        client.publish("tls/echo", "hi".getBytes(StandardCharsets.UTF_8), 1, false);
        await("the echo").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> !got.isEmpty());
        assertThat(got).containsExactly("hi");
    }

    @Test
    void mqttsClientIsAuthenticatedByItsCertificate() throws Exception {
        startBroker();
        assertThat(broker.boundPort(EdgeportServer.MQTT)).isEqualTo(-1);
        connectAndEcho("ssl://127.0.0.1:" + broker.boundPort(EdgeportServer.MQTTS), "tls-1");
        assertThat(authenticated).containsExactly("tls-1:device-9");
    }

    @Test
    void wssClientIsAuthenticatedByItsCertificate() throws Exception {
        startBroker();
        connectAndEcho("wss://127.0.0.1:" + broker.boundPort(EdgeportServer.WSS) + "/mqtt", "wss-1");
        assertThat(authenticated).containsExactly("wss-1:device-9");
    }

    @Test
    void clientWithoutCertificateIsNotAuthorized() throws Exception {
        startBroker();
        client = new MqttClient("ssl://127.0.0.1:" + broker.boundPort(EdgeportServer.MQTTS), "anon",
                new MemoryPersistence());
        client.setTimeToWait(10_000);
        MqttConnectOptions o = options(false);
        assertThatThrownBy(() -> client.connect(o)).isInstanceOfSatisfying(MqttException.class,
                e -> assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED));
        assertThat(authenticated).isEmpty();
    }
}
