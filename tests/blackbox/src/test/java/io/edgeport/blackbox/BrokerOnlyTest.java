package io.edgeport.blackbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker alone (run/target/broker.jar, for small appliances): it starts, prints its ready line without any HTTP
 * server, serves MQTT, and enforces the Mosquitto password file and ACL written on its first start; it stops cleanly
 * on SIGTERM. Clients are the real mosquitto_pub/mosquitto_sub and mosquitto_passwd.
 */
class BrokerOnlyTest {

    @TempDir
    Path dir;

    @Test
    void theBrokerAloneServesMqttWithMosquittoPasswordFileAndAcl() throws Exception {
        Gateway broker = new Gateway(dir, Gateway.BROKER_JAR).with("allow_anonymous", "false").start();
        try {
            assertThat(broker.readyLine()).contains("mqtt://127.0.0.1:" + broker.mqttPort)
                    .contains("(no HTTP endpoint)");
            assertThatThrownBy(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", broker.httpPort), 2_000);
                }
            }).as("no HTTP server").isInstanceOf(ConnectException.class);

            Path passwd = dir.resolve("data/passwd");
            await("data/passwd and data/acl of the first start").atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> Files.exists(passwd) && Files.exists(dir.resolve("data/acl")));
            Clients.Result r = Clients.run(15, "mosquitto_passwd", "-b", passwd.toString(), "dev", "dev-secret");
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            String port = Integer.toString(broker.mqttPort);
            // the file is reloaded once it is stable
            await("dev can connect").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .until(() -> pub(port, "dev", "dev-secret", "boot") == 0);
            try (MosquittoSub sub = new MosquittoSub("-h", "127.0.0.1", "-p", port, "-u", "dev", "-P", "dev-secret",
                    "-t", "b/#", "-q", "1", "-C", "2", "-W", "20", "-v").awaitSubscribed()) {
                assertThat(pub(port, "dev", "dev-secret", "b/1")).isZero();
                assertThat(pub(port, "dev", "wrong", "b/2")).as("wrong password refused").isNotZero();
                assertThat(Clients.run(15, "mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-t", "b/3", "-m", "x")
                        .exitCode()).as("anonymous refused").isNotZero();
                assertThat(pub(port, "dev", "dev-secret", "b/4")).isZero();
                assertThat(sub.messages("b/", 20)).containsExactly("b/1 m", "b/4 m");
            }
        } finally {
            assertThat(broker.stop()).as("exit code after SIGTERM").isIn(0, Gateway.SIGTERM_EXIT);
        }
    }

    private static int pub(String port, String user, String password, String topic) throws Exception {
        return Clients.run(15, "mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-u", user, "-P", password, "-t",
                topic, "-q", "1", "-m", "m").exitCode();
    }
}
