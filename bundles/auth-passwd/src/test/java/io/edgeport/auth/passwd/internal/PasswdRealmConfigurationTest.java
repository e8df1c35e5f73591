package io.edgeport.auth.passwd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;

import io.edgeport.api.auth.ConnectRequest;
import io.edgeport.api.auth.Decision;

/**
 * A realm's configuration changed while it serves (the gateway's rule): a bad change leaves it as it was, users and
 * all; a good one is taken without a restart of the component (another file, another policy for unknown users).
 */
class PasswdRealmConfigurationTest {

    @TempDir
    Path dir;

    private BundleContext context() {
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {
            BundleContext.class }, (p, m, a) -> m.getName().equals("getProperty") && "edgeport.data".equals(a[0])
                    ? dir.toString() : null);
    }

    private static PasswdRealmConfig config(Map<String, Object> values) {
        Map<String, Object> v = new java.util.HashMap<>(Map.of("realm", "default", "password__file",
                PasswdRealmConfig.DEFAULT_FILE, "unknown__user", "deny", "service_ranking", 0, "reload__interval", 1,
                "iterations", 101, "min__password__length", 12));
        v.putAll(values);
        return (PasswdRealmConfig) Proxy.newProxyInstance(PasswdRealmConfigurationTest.class.getClassLoader(),
                new Class<?>[] { PasswdRealmConfig.class }, (p, m, a) -> v.get(m.getName()));
    }

    private static Decision decide(PasswdRealm r, String user, String pw) {
        return r.authenticate(new ConnectRequest("c", user, pw.getBytes(StandardCharsets.UTF_8), null, null, ""))
                .outcome();
    }

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
