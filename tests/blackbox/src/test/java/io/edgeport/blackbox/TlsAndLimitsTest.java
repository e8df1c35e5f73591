package io.edgeport.blackbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS listener with PEM files made by openssl during the test, and the max_connections limit. */
class TlsAndLimitsTest {

    @TempDir
    static Path dir;
    static Gateway gw;
    static int tlsPort;
    static final int MAX_CONNECTIONS = 3;

    @BeforeAll
    static void start() throws Exception {
        Path certs = dir.resolve("certs");
        java.nio.file.Files.createDirectories(certs);
        Clients.Result r = Clients.run(60, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", certs.resolve("server.key").toString(), "-out", certs.resolve("server.crt").toString());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        tlsPort = Gateway.freePort();
        Path gwDir = dir.resolve("gw");
        java.nio.file.Files.createDirectories(gwDir);
        gw = new Gateway(gwDir).with("tls_port", tlsPort).with("certfile", certs.resolve("server.crt"))
                .with("keyfile", certs.resolve("server.key")).with("max_connections", MAX_CONNECTIONS).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (gw != null) {
            gw.stop();
        }
    }

    @Test
    void tlsListenerCarriesMqttForMosquittoClients() throws Exception {
        String ca = dir.resolve("certs/server.crt").toString();
        MosquittoSub sub = new MosquittoSub("-h", "127.0.0.1", "-p", Integer.toString(tlsPort), "--cafile", ca, "-t",
                "tls/t", "-C", "1", "-W", "20", "-q", "1", "-v").awaitSubscribed();
        Clients.Result pub = Clients.run(15, "mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(tlsPort),
                "--cafile", ca, "-t", "tls/t", "-q", "1", "-m", "over-tls");
        assertThat(pub.exitCode()).as(pub.stderr()).isZero();
        assertThat(sub.messages("tls/t ", 20)).containsExactly("tls/t over-tls");
        assertThat(gw.readyLine()).contains("mqtts://127.0.0.1:" + tlsPort);
    }

    @Test
    void plainTcpClientCannotTalkToTheTlsPort() throws Exception {
        Clients.Result pub = Clients.run(15, "mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(tlsPort),
                "-t", "tls/plain", "-m", "x");
        assertThat(pub.exitCode()).isNotZero();
    }

    @Test
    void connectionsBeyondMaxConnectionsAreRefused() throws Exception {
        String uri = "tcp://127.0.0.1:" + gw.mqttPort;
        List<MqttClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_CONNECTIONS; i++) {
                clients.add(Clients.paho(uri, "limit-" + i, true));
            }
            MqttClient extra = null;
            try {
                extra = Clients.paho(uri, "limit-extra", true);
                // The broker may accept the CONNECT and close the connection right after.
                MqttClient accepted = extra;
                await("connection " + (MAX_CONNECTIONS + 1) + " of max " + MAX_CONNECTIONS + " refused")
                        .atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                        .until(() -> !accepted.isConnected());
            } catch (org.eclipse.paho.client.mqttv3.MqttException e) {
                // refused at once
            } finally {
                Clients.close(extra);
            }
            assertThat(clients).allMatch(MqttClient::isConnected);
        } finally {
            clients.forEach(Clients::close);
        }
        // Once a slot is free again, a new client gets in (an attempt before the broker saw the closes is refused).
        await("a new client admitted once a slot is free").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsInstanceOf(org.eclipse.paho.client.mqttv3.MqttException.class)
                .untilAsserted(() -> Clients.close(Clients.paho(uri, "limit-after", true)));
    }
}
