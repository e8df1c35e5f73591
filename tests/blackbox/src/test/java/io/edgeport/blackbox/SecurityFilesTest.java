package io.edgeport.blackbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's default security realm: data/passwd and data/acl are Mosquitto files, edited here with the real
 * mosquitto_passwd and a text editor's write while the gateway runs; changes apply without a restart.
 */
class SecurityFilesTest {

    @TempDir
    static Path dir;
    static Gateway gw;
    static final java.util.Map<String, String> firstStartPermissions = new java.util.HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        gw = new Gateway(dir).with("allow_anonymous", "false").start();
        Path passwd = dir.resolve("data/passwd");
        // The providers start right after the broker; wait for the files of the first start.
        await("data/passwd and data/acl of the first start").atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> Files.exists(passwd) && Files.exists(dir.resolve("data/acl")));
        for (String f : new String[] { "data/passwd", "data/acl" }) {
            firstStartPermissions.put(f, PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(f))));
        }
        Clients.Result r = Clients.run(15, "mosquitto_passwd", "-b", passwd.toString(), "alice", "alice-secret");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        r = Clients.run(15, "mosquitto_passwd", "-b", passwd.toString(), "backend", "backend-secret");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        Files.writeString(dir.resolve("data/acl.new"), """
                user alice
                topic write sensors/alice/#
                topic read commands/alice/#
                user backend
                topic read sensors/#
                topic write commands/#
                """);
        Files.move(dir.resolve("data/acl.new"), dir.resolve("data/acl"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        // Wait until the password changes are live (bounded): both users can connect.
        await("both users can connect").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> pub("alice", "alice-secret", "sensors/alice/boot", "x") == 0
                        && pub("backend", "backend-secret", "commands/boot", "x") == 0);
        // ... and the new ACL is live (its reload check runs every few seconds)
        await("the new ACL loaded").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> gw.log().contains("data/acl loaded: 2 users, 4 rules"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gw != null) {
            gw.stop();
        }
    }

    static int pub(String user, String password, String topic, String message) throws Exception {
        return Clients.run(15, "mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(gw.mqttPort), "-u", user,
                "-P", password, "-t", topic, "-q", "1", "-m", message).exitCode();
    }

    @Test
    void firstStartMadeOwnerOnlyMosquittoFiles() throws Exception {
        assertThat(firstStartPermissions).containsEntry("data/passwd", "rw-------").containsEntry("data/acl",
                "rw-------");
        assertThat(Files.readString(dir.resolve("data/passwd"))).contains("alice:$7$");
    }

    @Test
    void usersFromMosquittoPasswdAuthenticate() throws Exception {
        assertThat(pub("alice", "alice-secret", "sensors/alice/t", "1")).isZero();
        assertThat(pub("alice", "wrong", "sensors/alice/t", "1")).isNotZero();
        assertThat(pub("mallory", "alice-secret", "sensors/alice/t", "1")).isNotZero();
        Clients.Result anonymous = Clients.run(15, "mosquitto_pub", "-h", "127.0.0.1", "-p",
                Integer.toString(gw.mqttPort), "-t", "sensors/x", "-m", "1");
        assertThat(anonymous.exitCode()).isNotZero();
    }

    @Test
    void aclDecidesWhatIsPublishedAndWhatIsReceived() throws Exception {
        // backend may subscribe to '#' (Mosquitto accepts every subscription) but only receives what it may read.
        MosquittoSub backend = new MosquittoSub("-h", "127.0.0.1", "-p", Integer.toString(gw.mqttPort), "-u",
                "backend", "-P", "backend-secret", "-t", "#", "-q", "1", "-v", "-W", "8").awaitSubscribed();
        assertThat(pub("alice", "alice-secret", "sensors/alice/temp", "21.5")).isZero();
        assertThat(pub("alice", "alice-secret", "sensors/bob/temp", "forged")).isZero(); // dropped, as in Mosquitto
        assertThat(pub("backend", "backend-secret", "commands/alice/reboot", "now")).isZero(); // not readable by backend
        assertThat(backend.messages("sensors/", 15)).as("gateway log:%n%s", gw.log())
                .containsExactly("sensors/alice/temp 21.5");
    }

    @Test
    void consolePageListsTheUsersOfTheRealm() throws Exception {
        Console console = new Console(gw);
        console.awaitUp();
        java.net.http.HttpResponse<String> page = console.get("/edgeport-users", console.admin());
        assertThat(page.statusCode()).isEqualTo(200);
        String aliceHash = Files.readAllLines(dir.resolve("data/passwd")).stream()
                .filter(l -> l.startsWith("alice:")).findFirst().orElseThrow().substring("alice:".length());
        assertThat(page.body()).contains("MQTT users").contains("alice").contains("backend")
                .doesNotContain(aliceHash).doesNotContain(aliceHash.substring(aliceHash.lastIndexOf('$') + 1));
        assertThat(console.get("/edgeport-users", null).statusCode()).isEqualTo(401);
    }
}
