package io.edgeport.blackbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * require_certificate with a CA made by openssl during the test: clients with a certificate signed by the CA get in
 * over TLS, clients without one do not. Also the secure WebSocket listener with the same certificates.
 */
class MutualTlsTest {

    @TempDir
    static Path dir;
    static Path certs;
    static Gateway gw;
    static int tlsPort;
    static int wssPort;

    static void openssl(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "openssl";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Clients.Result r = Clients.run(60, cmd);
        assertThat(r.exitCode()).as(String.join(" ", cmd) + ": " + r.stderr()).isZero();
    }

    static String c(String name) {
        return certs.resolve(name).toString();
    }

    @BeforeAll
    static void start() throws Exception {
        certs = io.edgeport.testsupport.OpenSslCa.create(dir.resolve("certs")).client("sensor-01").dir;
        tlsPort = Gateway.freePort();
        wssPort = Gateway.freePort();
        gw = new Gateway(Files.createDirectories(dir.resolve("gw"))).with("tls_port", tlsPort)
                .with("wss_port", wssPort).with("cafile", c("ca.crt")).with("certfile", c("server.crt"))
                .with("keyfile", c("server.key")).with("require_certificate", true).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (gw != null) {
            gw.stop();
        }
    }

    @Test
    void clientWithACertificateFromTheCaGetsIn() throws Exception {
        Clients.Result r = Clients.run(15, "mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(tlsPort),
                "--cafile", c("ca.crt"), "--cert", c("sensor-01.crt"), "--key", c("sensor-01.key"), "-t",
                "sensors/01", "-q", "1", "-m", "21.5");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
    }

    @Test
    void clientWithoutCertificateIsRefused() throws Exception {
        Clients.Result r = Clients.run(15, "mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(tlsPort),
                "--cafile", c("ca.crt"), "-t", "sensors/01", "-q", "1", "-m", "21.5");
        assertThat(r.exitCode()).isNotZero();
    }

    @Test
    void secureWebSocketCarriesMqtt() throws Exception {
        // Paho over wss:// with a trust store holding our CA; the listener wants a client certificate too, so use a
        // key store with sensor-01 (PKCS#12 made by openssl).
        openssl("pkcs12", "-export", "-in", c("sensor-01.crt"), "-inkey", c("sensor-01.key"), "-out",
                c("sensor-01.p12"), "-passout", "pass:changeit");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certs.resolve("ca.crt"))) {
            trust.setCertificateEntry("ca",
                    (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyStore key = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(certs.resolve("sensor-01.p12"))) {
            key.load(in, "changeit".toCharArray());
        }
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory
                .getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(key, "changeit".toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);

        MqttClient ws = new MqttClient("wss://127.0.0.1:" + wssPort + "/mqtt", "wss-client", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setSocketFactory(ssl.getSocketFactory());
        o.setConnectionTimeout(10);
        ws.connect(o);
        try {
            CountDownLatch got = new CountDownLatch(1);
            ws.subscribe("wss/t", 1, (t, m) -> got.countDown());
            ws.publish("wss/t", "hello".getBytes(), 1, false);
            assertThat(got.await(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            Clients.close(ws);
        }
    }
}
