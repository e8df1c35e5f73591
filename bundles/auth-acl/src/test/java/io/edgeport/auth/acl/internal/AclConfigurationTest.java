package io.edgeport.auth.acl.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;

import io.edgeport.testsupport.DataDirectoryContext;

import io.edgeport.api.auth.AccessRequest;
import io.edgeport.api.auth.Action;
import io.edgeport.api.auth.Decision;

/**
 * An ACL authorizer's configuration changed while it serves (the gateway's rule): a bad change leaves the rules in
 * force; a good one (another file) is taken without a restart of the component.
 */
class AclConfigurationTest {

    @TempDir
    Path dir;

    private BundleContext context() {
        return DataDirectoryContext.of(dir);
    }

    private static AclConfig config(Map<String, Object> values) {
        Map<String, Object> v = new HashMap<>(Map.of("acl__file", "${edgeport.data}/acl", "reload_interval_ms", 0L,
                "subscribe_mode", "MOSQUITTO", "service_ranking", 0));
        v.putAll(values);
        return (AclConfig) Proxy.newProxyInstance(AclConfigurationTest.class.getClassLoader(),
                new Class<?>[] { AclConfig.class }, (p, m, a) -> v.get(m.getName()));
    }

    private static Decision publish(AclAuthorizer a, String user, String topic) {
        return a.authorize(new AccessRequest(user, user, topic, Action.PUBLISH));
    }

    @Test
    void aBadChangeKeepsTheRulesInForceAndAGoodOneIsTaken() throws Exception {
        Files.writeString(dir.resolve("acl"), "user a\ntopic write a/#\n");
        Files.writeString(dir.resolve("other"), "user a\ntopic write b/#\n");
        AclAuthorizer authorizer = new AclAuthorizer(context(), config(Map.of()));
        try {
            assertThat(publish(authorizer, "a", "a/x")).isEqualTo(Decision.ALLOW);

            authorizer.modified(config(Map.of("acl__file", dir.resolve("other").toString(), "subscribe_mode",
                    "SOMETIMES")));
            assertThat(publish(authorizer, "a", "a/x")).as("the rules in force stay").isEqualTo(Decision.ALLOW);
            assertThat(authorizer.file().path()).isEqualTo(dir.resolve("acl"));

            authorizer.modified(config(Map.of("acl__file", dir.resolve("other").toString())));
            assertThat(authorizer.file().path()).isEqualTo(dir.resolve("other"));
            assertThat(publish(authorizer, "a", "a/x")).isEqualTo(Decision.DENY);
            assertThat(publish(authorizer, "a", "b/x")).isEqualTo(Decision.ALLOW);
        } finally {
            authorizer.deactivate();
        }
    }
}
