package io.edgeport.auth.acl.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.edgeport.api.auth.AccessRequest;
import io.edgeport.api.auth.Action;
import io.edgeport.api.auth.Decision;

class AclAuthorizerTest {

    @TempDir
    Path dir;

    private static AccessRequest publish(String user, String topic) {
        return new AccessRequest(user, user, topic, Action.PUBLISH);
    }

    /** Rewrites the file with a distinct modification time so that a change is seen even on coarse clocks. */
    private static void write(Path file, String text, int second) throws Exception {
        Files.writeString(file, text);
        Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(1_700_000_000L + second)));
    }

    @Test
    void keepsTheLastGoodModel() throws Exception {
        Path acl = dir.resolve("acl");
        AclFile file = new AclFile(acl);
        assertThat(file.refresh()).isFalse(); // missing: deny everything
        assertThat(file.model()).isSameAs(AclModel.NONE);

        write(acl, "user a\ntopic write a/#\n", 1);
        assertThat(file.refresh()).isTrue();
        AclModel good = file.model();
        assertThat(AclEvaluator.evaluate(good, "a", "a", "a/x", Action.PUBLISH)).isEqualTo(Decision.ALLOW);
        assertThat(file.refresh()).as("unchanged file is not parsed again").isFalse();

        write(acl, "user a\ntopic write b/#\nbroken line\n", 2);
        assertThat(file.refresh()).isFalse();
        assertThat(file.model()).isSameAs(good);

        Files.delete(acl);
        assertThat(file.refresh()).isFalse();
        assertThat(file.model()).isSameAs(good);

        write(acl, "user a\ntopic write b/#\n", 3);
        assertThat(file.refresh()).isTrue();
        assertThat(AclEvaluator.evaluate(file.model(), "a", "a", "a/x", Action.PUBLISH)).isEqualTo(Decision.DENY);
        assertThat(AclEvaluator.evaluate(file.model(), "a", "a", "b/x", Action.PUBLISH)).isEqualTo(Decision.ALLOW);
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void reloadsOnChange() throws Exception {
        Path acl = dir.resolve("acl");
        write(acl, "user a\ntopic write a/#\n", 1);
        AclAuthorizer authorizer = new AclAuthorizer(acl, 50, SubscribeMode.FILTER);
        try {
            assertThat(authorizer.authorize(publish("a", "a/x"))).isEqualTo(Decision.ALLOW);
            write(acl, "user a\ntopic write b/#\n", 2);
            await("the changed file is reloaded").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                    .until(() -> authorizer.authorize(publish("a", "a/x")) == Decision.DENY);
            assertThat(authorizer.authorize(publish("a", "b/x"))).isEqualTo(Decision.ALLOW);
        } finally {
            authorizer.deactivate();
        }
    }

    @Test
    void resolvesTheDataDirectory() {
        assertThat(AclAuthorizer.resolve("${edgeport.data}/acl", null))
                .isEqualTo(Path.of("data", "acl").toAbsolutePath());
        assertThat(AclAuthorizer.resolve("${edgeport.data}/acl", "/var/lib/edgeport"))
                .isEqualTo(Path.of("/var/lib/edgeport/acl"));
        assertThat(AclAuthorizer.resolve("/etc/mosquitto/acl", "/x")).isEqualTo(Path.of("/etc/mosquitto/acl"));
        assertThat(AclAuthorizer.resolve("", "/x")).isEqualTo(Path.of("/x/acl"));
    }
}
