package io.edgeport.auth.passwd.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Known vectors are produced during the run by the real mosquitto_passwd 2.0.11. */
class PasswordHashTest {

    @TempDir
    Path dir;

    private static PasswordHash hashOf(String line) {
        return PasswordHash.parse(line.substring(line.indexOf(':') + 1));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void pbkdf2FromMosquittoPasswdDefaultsTo101Iterations() throws Exception {
        String line = Mosquitto.line(dir, "alice", "s3cret!");
        assertThat(line).matches("alice:\\$7\\$101\\$[A-Za-z0-9+/]{16}\\$[A-Za-z0-9+/]{86}==");
        PasswordHash h = hashOf(line);
        assertThat(h.type()).isEqualTo(7);
        assertThat(h.iterations()).isEqualTo(101);
        assertThat(h.matches(utf8("s3cret!"))).isTrue();
        assertThat(h.matches(utf8("s3cret"))).isFalse();
        assertThat(h.matches(new byte[0])).isFalse();
        assertThat("alice:" + h.format()).isEqualTo(line);
    }

    @Test
    void saltedSha512FromMosquittoPasswd() throws Exception {
        String line = Mosquitto.line(dir, "bob", "hunter2", "-H", "sha512");
        assertThat(line).matches("bob:\\$6\\$[A-Za-z0-9+/]{16}\\$[A-Za-z0-9+/]{86}==");
        PasswordHash h = hashOf(line);
        assertThat(h.type()).isEqualTo(6);
        assertThat(h.matches(utf8("hunter2"))).isTrue();
        assertThat(h.matches(utf8("hunter3"))).isFalse();
        assertThat("bob:" + h.format()).isEqualTo(line);
    }

    @Test
    void iterationCountFromMosquittoPasswd() throws Exception {
        String line = Mosquitto.line(dir, "carol", "pw", "-I", "1000");
        assertThat(line).startsWith("carol:$7$1000$");
        assertThat(hashOf(line).matches(utf8("pw"))).isTrue();
    }

    @Test
    void nonAsciiAndEmptyPasswordsFromMosquittoPasswd() throws Exception {
        assertThat(hashOf(Mosquitto.line(dir, "dave", "pä:ss €")).matches(utf8("pä:ss €"))).isTrue();
        assertThat(hashOf(Mosquitto.line(dir, "erin", "")).matches(new byte[0])).isTrue();
        assertThat(hashOf(Mosquitto.line(dir, "fay", "x", "-H", "sha512")).matches(utf8("x\0y")))
                .as("Mosquitto would cut at the NUL; we compare all bytes").isFalse();
    }

    @Test
    void invalidUtf8PasswordNeverMatchesPbkdf2() throws Exception {
        PasswordHash h = hashOf(Mosquitto.line(dir, "gus", "pw"));
        assertThat(h.matches(new byte[] { (byte) 0xff, (byte) 0xfe })).isFalse();
    }

    @Test
    void newHashesLookLikeMosquittoPasswds() {
        PasswordHash h = PasswordHash.pbkdf2("pw", 101, new SecureRandom());
        assertThat(h.format()).matches("\\$7\\$101\\$[A-Za-z0-9+/]{16}\\$[A-Za-z0-9+/]{86}==");
        assertThat(h.matches(utf8("pw"))).isTrue();
        assertThat(PasswordHash.parse(h.format())).isEqualTo(h);
        assertThat(h.toString()).doesNotContain(h.format().substring(8, 20));
    }

    @Test
    void rejectsMalformedHashesWithoutQuotingThem() {
        String salt = "AAAAAAAAAAAAAAAA";
        String hash = "A".repeat(86) + "==";
        assertThat(PasswordHash.parse("$7$101$" + salt + "$" + hash).iterations()).isEqualTo(101);
        String[][] bad = {
            { "plaintext", "plain-text" },
            { "$5$" + salt + "$" + hash, "unknown hash type" },
            { "$7$0$" + salt + "$" + hash, "outside" },
            { "$7$-5$" + salt + "$" + hash, "not a number" },
            { "$7$10000001$" + salt + "$" + hash, "outside" },
            { "$7$99999999999$" + salt + "$" + hash, "not a number" },
            { "$7$101abc$" + salt + "$" + hash, "not a number" },
            { "$7$101$" + salt + "$" + hash + "$x", "fields" },
            { "$6$101$" + salt + "$" + hash, "fields" },
            { "$7$101$" + "!!!!AAAAAAAAAAAA" + "$" + hash, "salt is not valid base64" },
            { "$7$101$" + "AAAAAAAA" + "$" + hash, "salt is 6 bytes" },
            { "$7$101$" + salt + "$" + "AAAA", "hash is 3 bytes" },
            { "$6$" + salt + "$" + hash.substring(1), "hash is not valid base64" },
        };
        for (String[] b : bad) {
            assertThatThrownBy(() -> PasswordHash.parse(b[0])).as(b[0]).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(b[1]).message().doesNotContain(salt).doesNotContain(hash);
        }
    }
}
