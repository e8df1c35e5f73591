package io.edgeport.auth.passwd.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;

import io.edgeport.testsupport.DataDirectoryContext;

import io.edgeport.api.auth.ConnectRequest;
import io.edgeport.api.auth.Decision;

/** The DS component with its real poller: configuration checks and hot reload of a file changed by mosquitto_passwd. */
@Timeout(30)
class PasswdRealmTest {

    @TempDir
    Path dir;

    private BundleContext context() {
        return DataDirectoryContext.of(dir);
    }

    private static PasswdRealmConfig config(Map<String, Object> values) {
        Map<String, Object> v = new java.util.HashMap<>(Map.of("realm", "default", "password__file",
                PasswdRealmConfig.DEFAULT_FILE, "unknown__user", "deny", "service_ranking", 0, "reload__interval", 1,
                "iterations", 101, "min__password__length", 12));
        v.putAll(values);
        return (PasswdRealmConfig) Proxy.newProxyInstance(PasswdRealmTest.class.getClassLoader(),
                new Class<?>[] { PasswdRealmConfig.class }, (p, m, a) -> v.get(m.getName()));
    }

    private static Decision decide(PasswdRealm r, String user, String pw) {
        return r.authenticate(new ConnectRequest("c", user, pw.getBytes(StandardCharsets.UTF_8), null, null, ""))
                .outcome();
    }

    @Test
    void hotReloadOfAFileChangedByMosquittoPasswd() throws Exception {
        PasswdRealm realm = new PasswdRealm(context(), config(Map.of()));
        try {
            assertThat(realm.file()).isEqualTo(dir.resolve("passwd"));
            assertThatThrownBy(() -> realm.setPassword("ours", "o2345678901"))
                    .hasMessageContaining("shorter than 12 characters");
            realm.setPassword("ours", "o23456789012");
            Mosquitto.passwd("-b", realm.file().toString(), "theirs", "t");
            await("the file changed by mosquitto_passwd is reloaded").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100)).until(() -> decide(realm, "theirs", "t") == Decision.ALLOW);
            assertThat(decide(realm, "theirs", "t")).isEqualTo(Decision.ALLOW);
            assertThat(decide(realm, "ours", "o23456789012")).isEqualTo(Decision.ALLOW);
            assertThat(decide(realm, "stranger", "x")).isEqualTo(Decision.DENY);
        } finally {
            realm.deactivate();
        }
    }

    @Test
    void badConfigurationIsRefused() {
        assertThatThrownBy(() -> new PasswdRealm(context(), config(Map.of("unknown__user", "maybe"))))
                .hasMessageContaining("unknown_user");
        assertThatThrownBy(() -> new PasswdRealm(context(), config(Map.of("reload__interval", 0))))
                .hasMessageContaining("reload_interval");
        assertThatThrownBy(() -> new PasswdRealm(context(), config(Map.of("iterations", 0))))
                .hasMessageContaining("iterations");
    }

    @Test
    void abstainModePassesUnknownUsersOn() throws Exception {
        PasswdRealm realm = new PasswdRealm(context(), config(Map.of("unknown__user", "abstain")));
        try {
            assertThat(decide(realm, "stranger", "x")).isEqualTo(Decision.NO_OPINION);
        } finally {
            realm.deactivate();
        }
    }

    /** A bad change leaves the realm as it was, users and all; a good one is taken without a restart. */
    @Test
    void aBadChangeKeepsTheRealmAsItWasAndAGoodOneIsTakenWithoutARestart() throws Exception {
        PasswdRealm realm = new PasswdRealm(context(), config(Map.of()));
        try {
            realm.setPassword("alice", "a23456789012");
            assertThat(decide(realm, "alice", "a23456789012")).isEqualTo(Decision.ALLOW);

            realm.modified(config(Map.of("unknown__user", "maybe")));
            assertThat(decide(realm, "alice", "a23456789012")).as("still serving its users").isEqualTo(
                    Decision.ALLOW);
            assertThat(decide(realm, "stranger", "x")).as("with its previous policy").isEqualTo(Decision.DENY);

            realm.modified(config(Map.of("unknown__user", "abstain")));
            assertThat(decide(realm, "stranger", "x")).isEqualTo(Decision.NO_OPINION);
            assertThat(decide(realm, "alice", "a23456789012")).isEqualTo(Decision.ALLOW);

            realm.modified(config(Map.of("password__file", dir.resolve("other-passwd").toString())));
            assertThat(realm.file()).isEqualTo(dir.resolve("other-passwd"));
            assertThat(decide(realm, "alice", "a23456789012")).as("another file, other users").isEqualTo(
                    Decision.DENY);

            realm.modified(config(Map.of("min__password__length", 4)));
            realm.setPassword("bob", "b234");
            assertThat(decide(realm, "bob", "b234")).isEqualTo(Decision.ALLOW);
        } finally {
            realm.deactivate();
        }
    }
}
