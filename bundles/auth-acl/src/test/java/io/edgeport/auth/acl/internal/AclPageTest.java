package io.edgeport.auth.acl.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;

/** Saving from the console page: checked with the parser first, written atomically, applied at once. */
class AclPageTest {

    @Test
    void aBadLineIsRefusedWithFileAndLineAndNothingIsWritten() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "acl-page-" + System.nanoTime())).toAbsolutePath();
        Path path = dir.resolve("acl").toAbsolutePath();
        Files.writeString(path, "pattern readwrite #\n", StandardCharsets.UTF_8);
        AclFile file = new AclFile(path);
        assertThat(file.refresh()).isTrue();

        AclPage.Flash refused = AclPage.save(file, "user alice\ntopic read sensors/#\ntopic sideways x\n");
        assertThat(refused.error()).startsWith("Not saved: " + path + ":3:");
        assertThat(refused.text()).contains("sideways");
        assertThat(Files.readString(path)).isEqualTo("pattern readwrite #\n");
        assertThat(file.model().users()).isEmpty();

        AclPage.Flash saved = AclPage.save(file, "user alice\r\ntopic readwrite alice/#");
        assertThat(saved.error()).isNull();
        assertThat(saved.info()).contains("1 users, 1 rules, in force now");
        assertThat(Files.readString(path)).isEqualTo("user alice\ntopic readwrite alice/#\n");
        assertThat(file.model().users()).containsOnlyKeys("alice");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-------");
        try (var files = Files.list(dir)) {
            assertThat(files).as("no temporary file left").containsExactly(path);
        }
    }
}
