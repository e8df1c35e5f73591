package io.edgeport.blackbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * use_identity_as_username: a device authenticated by its certificate is known by the certificate's CN, needs no
 * password entry, and goes through the same acl_file rules as any user (the seed guide's per-device topics).
 */
class CertificateIdentityTest {

    @TempDir
    static Path dir;
    static Path certs;
    static Gateway gw;
    static int tlsPort;

    static String c(String name) {
        return certs.resolve(name).toString();
    }

    @BeforeAll
    static void start() throws Exception {
        certs = Files.createDirectories(dir.resolve("certs"));
        MutualTlsTest.openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Test CA",
                "-keyout", c("ca.key"), "-out", c("ca.crt"));
        for (String who : new String[] { "server", "sensor_device_01", "sensor_device_02" }) {
            String subject = who.equals("server") ? "/CN=localhost" : "/O=Building A/CN=" + who;
            MutualTlsTest.openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", c(who + ".key"),
                    "-out", c(who + ".csr"));
            Files.writeString(certs.resolve(who + ".ext"), who.equals("server")
                    ? "subjectAltName=IP:127.0.0.1\n" : "extendedKeyUsage=clientAuth\n");
            MutualTlsTest.openssl("x509", "-req", "-in", c(who + ".csr"), "-CA", c("ca.crt"), "-CAkey", c("ca.key"),
                    "-CAcreateserial", "-days", "2", "-extfile", c(who + ".ext"), "-out", c(who + ".crt"));
        }
        tlsPort = Gateway.freePort();
        Path gwDir = Files.createDirectories(dir.resolve("gw"));
        // The gateway's own first-start files are replaced before it starts: no marker is needed, DefaultConfigurations
        // never overwrites existing files.
        Files.createDirectories(gwDir.resolve("data"));
        Files.writeString(gwDir.resolve("data/acl"), """
                user sensor_device_01
                topic write sensors/sensor_device_01/#
                user sensor_device_02
                topic write sensors/sensor_device_02/#
                topic read sensors/#
                """);
        gw = new Gateway(gwDir).with("tls_port", tlsPort).with("cafile", c("ca.crt"))
                .with("certfile", c("server.crt")).with("keyfile", c("server.key")).with("require_certificate", true)
                .with("use_identity_as_username", true).with("allow_anonymous", "false").start();
        // the ACL provider starts after the ready line; clients are admitted once it is there
        await("the ACL provider started and clients admitted").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> gw.log().contains("ACL authorizer on") && gw.log().contains("MQTT clients admitted"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gw != null) {
            gw.stop();
        }
    }

    static String[] tls(String who, String... rest) {
        String[] base = { "-h", "127.0.0.1", "-p", Integer.toString(tlsPort), "--cafile", c("ca.crt"), "--cert",
            c(who + ".crt"), "--key", c(who + ".key") };
        String[] all = new String[base.length + rest.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(rest, 0, all, base.length, rest.length);
        return all;
    }

    @Test
    void deviceIsKnownByItsCertificateAndLimitedByTheAcl() throws Exception {
        MosquittoSub reader = new MosquittoSub(tls("sensor_device_02", "-t", "sensors/#", "-q", "1", "-v", "-W", "8"))
                .awaitSubscribed();
        String[] own = tls("sensor_device_01", "-t", "sensors/sensor_device_01/temperature", "-q", "1", "-m", "21.5");
        String[] foreign = tls("sensor_device_01", "-t", "sensors/sensor_device_02/temperature", "-q", "1", "-m", "99");
        String[] cmd1 = new String[own.length + 1];
        cmd1[0] = "mosquitto_pub";
        System.arraycopy(own, 0, cmd1, 1, own.length);
        String[] cmd2 = new String[foreign.length + 1];
        cmd2[0] = "mosquitto_pub";
        System.arraycopy(foreign, 0, cmd2, 1, foreign.length);
        Clients.Result r1 = Clients.run(15, cmd1);
        assertThat(r1.exitCode()).as(r1.stderr()).isZero();
        Clients.Result r2 = Clients.run(15, cmd2);
        assertThat(r2.exitCode()).as("a refused publish is still acknowledged: %s", r2.stderr()).isZero();
        assertThat(reader.messages("sensors/", 15)).containsExactly("sensors/sensor_device_01/temperature 21.5");
    }
}
