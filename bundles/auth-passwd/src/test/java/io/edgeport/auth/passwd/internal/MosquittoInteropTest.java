package io.edgeport.auth.passwd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.edgeport.api.auth.AuthResult;
import io.edgeport.api.auth.ConnectRequest;
import io.edgeport.api.auth.Decision;

/**
 * Both directions with the real Mosquitto 2.0.11 broker on an ephemeral loopback port: the broker accepts the
 * passwords Edgeport wrote, Edgeport accepts the passwords mosquitto_passwd wrote, and for every kind of client our
 * decision plus the gateway's all-abstain rule gives the broker's answer, with and without allow_anonymous.
 */
@Timeout(120)
class MosquittoInteropTest {

    @TempDir
    Path dir;

    /** One client attempt: username/password or null for "not sent". */
    private record Attempt(String user, String password) {
    }

    private static final List<Attempt> ATTEMPTS = List.of(new Attempt("ours", "ours-pw"),
            new Attempt("ours", "wrong"), new Attempt("ours", null), new Attempt("theirs", "their pä$$:w0rd"),
            new Attempt("theirs", "their"), new Attempt("legacy", "old-sha512"), new Attempt("nobody", "x"),
            new Attempt(null, null));

    /** What Edgeport's broker chain answers when this realm is the only provider (AuthBridge's rule). */
    private static boolean gateway(FileRealm realm, Attempt a, boolean allowAnonymous) {
        AuthResult r = realm.authenticate(new ConnectRequest("c", a.user(),
                a.password() == null ? null : a.password().getBytes(StandardCharsets.UTF_8), null, null, "mqtt"));
        return r.outcome() == Decision.ALLOW || (r.outcome() == Decision.NO_OPINION && allowAnonymous);
    }

    @Test
    void sameFileSameAnswersAsMosquitto() throws Exception {
        Path f = dir.resolve("passwd");
        FileRealm realm = new FileRealm("interop", f, UserTable.UnknownUser.DENY, PasswordHash.DEFAULT_ITERATIONS);
        realm.reloadNow();
        realm.setPassword("ours", "ours-pw");
        Mosquitto.passwd("-b", f.toString(), "theirs", "their pä$$:w0rd");
        Mosquitto.passwd("-H", "sha512", "-b", f.toString(), "legacy", "old-sha512");
        realm.reloadNow();
        assertThat(realm.users().usernames()).containsExactly("legacy", "ours", "theirs");
        assertThat(realm.problems()).isEmpty();

        for (boolean anonymous : new boolean[] { false, true }) {
            List<String> mosquitto = new ArrayList<>();
            List<String> edgeport = new ArrayList<>();
            Mosquitto.Broker broker = new Mosquitto.Broker(dir, f, anonymous);
            try (broker) {
                for (Attempt a : ATTEMPTS) {
                    int exit = broker.publish(a.user(), a.password());
                    assertThat(exit).as("mosquitto_pub %s: 0 = accepted, 5 = not authorised", a).isIn(0, 5);
                    mosquitto.add(a + " -> " + (exit == 0));
                    edgeport.add(a + " -> " + gateway(realm, a, anonymous));
                }
            }
            assertThat(broker.log()).as("read after stop: mosquitto buffers stdout").contains("running")
                    .doesNotContain("removing entry");
            assertThat(edgeport).as("allow_anonymous " + anonymous).isEqualTo(mosquitto);
        }
    }

    @Test
    void expectedAnswersWithoutAnonymous() throws Exception {
        Path f = dir.resolve("passwd");
        FileRealm realm = new FileRealm("interop", f, UserTable.UnknownUser.DENY, PasswordHash.DEFAULT_ITERATIONS);
        realm.setPassword("ours", "ours-pw");
        try (Mosquitto.Broker broker = new Mosquitto.Broker(dir, f, false)) {
            assertThat(broker.publish("ours", "ours-pw")).isZero();
            assertThat(broker.publish("ours", "nope")).isEqualTo(5);
        }
    }

    @Test
    void brokerSkipsTheSameBadLinesWeSkip() throws Exception {
        Path f = dir.resolve("passwd");
        String good = Mosquitto.line(dir, "good", "g");
        String other = Mosquitto.line(dir, "x", "y");
        Files.writeString(f, "bad1:$9$abc$def\n" + good + "\nbad2:$7$0$" + other.substring(other.indexOf('$', 4) + 1)
                + "\n");
        FileRealm realm = new FileRealm("interop", f, UserTable.UnknownUser.DENY, PasswordHash.DEFAULT_ITERATIONS);
        realm.reloadNow();
        assertThat(realm.users().usernames()).containsExactly("good");
        assertThat(realm.problems()).hasSize(2);
        Mosquitto.Broker broker = new Mosquitto.Broker(dir, f, false);
        try (broker) {
            assertThat(broker.publish("good", "g")).isZero();
        }
        assertThat(broker.log()).contains("user bad1, removing entry").contains("user bad2, removing entry");
    }
}
