package io.edgeport.console.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest {

    private static String basic(String userPass) {
        return "Basic " + Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void acceptsOnlyTheExactAccount() {
        Credentials c = new Credentials("admin", "s3cret-passw0rd");
        assertThat(c.check(basic("admin:s3cret-passw0rd"))).isEqualTo("admin");
        assertThat(c.check(basic("admin:admin"))).isNull();
        assertThat(c.check(basic("root:s3cret-passw0rd"))).isNull();
        assertThat(c.check(basic("admin:s3cret-passw0rd "))).isNull();
        assertThat(c.check("basic " + Base64.getEncoder().encodeToString("admin:s3cret-passw0rd".getBytes())))
                .isEqualTo("admin");
    }

    @Test
    void malformedHeadersAreRefusedNotThrown() {
        Credentials c = new Credentials("admin", "pw");
        assertThat(c.check(null)).isNull();
        assertThat(c.check("")).isNull();
        assertThat(c.check("Bearer abc")).isNull();
        assertThat(c.check("Basic !!!not-base64")).isNull();
        assertThat(c.check(basic("no-colon"))).isNull();
    }

    @Test
    void passwordFileIsCreatedOwnerOnlyAndReadBack(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("sub/console-password");
        String first = PasswordFile.readOrCreate(f);
        assertThat(first).hasSize(PasswordFile.LENGTH);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(PasswordFile.readOrCreate(f)).isEqualTo(first);
    }

    @Test
    void emptyPasswordFileIsAnErrorNotAReset(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("console-password");
        Files.writeString(f, "\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PasswordFile.readOrCreate(f))
                .hasMessageContaining("empty");
    }

    @Test
    void generatedPasswordsDiffer() {
        SecureRandom r = new SecureRandom();
        assertThat(PasswordFile.generate(r)).isNotEqualTo(PasswordFile.generate(r));
    }
}
