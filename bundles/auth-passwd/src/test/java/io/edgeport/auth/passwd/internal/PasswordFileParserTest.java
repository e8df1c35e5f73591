package io.edgeport.auth.passwd.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Line rules as in Mosquitto 2.0.11's broker, plus hostile input. Hashes come from the real mosquitto_passwd. */
class PasswordFileParserTest {

    @TempDir
    static Path dir;
    static String alice1;
    static String alice2;
    static String bob;

    @BeforeAll
    static void hashes() throws Exception {
        alice1 = hashOf(Mosquitto.line(dir, "alice", "first"));
        alice2 = hashOf(Mosquitto.line(dir, "alice", "second"));
        bob = hashOf(Mosquitto.line(dir, "bob", "bobpw", "-H", "sha512"));
    }

    private static String hashOf(String line) {
        return line.substring(line.indexOf(':') + 1);
    }

    private static ParseResult parse(String text) throws IOException {
        return parse(text.getBytes(StandardCharsets.UTF_8));
    }

    private static ParseResult parse(byte[] bytes) throws IOException {
        return PasswordFileParser.parse(new ByteArrayInputStream(bytes), "pw");
    }

    private static boolean ok(ParseResult r, String user, String password) {
        PasswordHash h = r.users().get(user);
        return h != null && h.matches(password.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void commentsBlankLinesCrlfAndWhitespaceAsMosquitto() throws IOException {
        ParseResult r = parse("# a comment: with colon\n\n   \r\n alice : " + alice1 + " \r\nbob:" + bob);
        assertThat(r.users()).containsOnlyKeys("alice", "bob");
        assertThat(ok(r, "alice", "first")).isTrue();
        assertThat(ok(r, "bob", "bobpw")).isTrue();
        assertThat(r.problems()).isEmpty();
        assertThat(r.entryLines()).isEqualTo(2);
    }

    @Test
    void duplicateUserLastValidLineWins() throws IOException {
        ParseResult r = parse("alice:" + alice1 + "\nalice:" + alice2 + "\n");
        assertThat(ok(r, "alice", "second")).isTrue();
        assertThat(ok(r, "alice", "first")).isFalse();
        assertThat(r.problems()).singleElement().asString().startsWith("pw:2: ").contains("already defined on line 1");

        ParseResult broken = parse("alice:" + alice1 + "\nalice:$7$0$x$y\n");
        assertThat(ok(broken, "alice", "first")).as("an invalid later line does not hide a valid one").isTrue();
    }

    @Test
    void badLinesAreSkippedOneByOneWithFileAndLine() throws IOException {
        String text = String.join("\n", "alice:" + alice1, "no colon here", "eve:$9$abc$def", "frank:$7$0$" + alice1
                .substring(7), ":" + bob, "gina:" + bob + ":extra", "hank:", "  # indented: comment", "ivy:plain",
                "bob:" + bob) + "\n";
        ParseResult r = parse(text);
        assertThat(r.users()).containsOnlyKeys("alice", "bob");
        assertThat(r.problems()).hasSize(8);
        assertThat(r.problems().get(0)).startsWith("pw:2: ").contains("no ':'");
        assertThat(r.problems().get(1)).startsWith("pw:3: ").contains("unknown hash type");
        assertThat(r.problems().get(2)).startsWith("pw:4: ").contains("iteration count 0");
        assertThat(r.problems().get(3)).startsWith("pw:5: ").contains("empty username");
        assertThat(r.problems().get(4)).startsWith("pw:6: ").contains("more than one ':'");
        assertThat(r.problems().get(5)).startsWith("pw:7: ").contains("missing password hash");
        assertThat(r.problems().get(6)).startsWith("pw:8: ").contains("not a $6$ or $7$");
        assertThat(r.problems().get(7)).startsWith("pw:9: ").contains("plain-text");
        for (String p : r.problems()) {
            assertThat(p).doesNotContain(bob.substring(3, 19)).doesNotContain(alice1.substring(7, 23));
        }
    }

    @Test
    void hugeLineIsAnErrorForThatLineOnly() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("alice:" + alice1 + "\n").getBytes(StandardCharsets.UTF_8));
        b.writeBytes("x".repeat(5_000_000).getBytes(StandardCharsets.UTF_8));
        b.writeBytes((":" + alice2 + "\nbob:" + bob + "\n").getBytes(StandardCharsets.UTF_8));
        ParseResult r = parse(b.toByteArray());
        assertThat(r.users()).containsOnlyKeys("alice", "bob");
        assertThat(r.problems()).singleElement().asString().startsWith("pw:2: ").contains("longer than");
    }

    @Test
    void invalidUtf8AndControlCharactersAreRejected() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] { 'a', (byte) 0xc3, (byte) 0x28, ':' });
        b.writeBytes((bob + "\nx\u0007y:" + bob + "\nbob:" + bob + "\n").getBytes(StandardCharsets.UTF_8));
        ParseResult r = parse(b.toByteArray());
        assertThat(r.users()).containsOnlyKeys("bob");
        assertThat(r.problems()).hasSize(2);
        assertThat(r.problems().get(0)).contains("not valid UTF-8");
        assertThat(r.problems().get(1)).contains("control characters");
    }

    @Test
    void unicodeUsernames() throws IOException {
        assertThat(parse("jürgen€:" + bob + "\n").users()).containsOnlyKeys("jürgen€");
    }

    @Test
    void allEntriesRejectedIsDetected() throws IOException {
        assertThat(parse("a:b\nc:$7$0$x$y\n").allEntriesRejected()).isTrue();
        assertThat(parse("# only a comment\n\n").allEntriesRejected()).isFalse();
        assertThat(parse("").allEntriesRejected()).isFalse();
    }

    @Test
    void tooLargeFileIsRefusedAsAWhole() throws IOException {
        Path f = dir.resolve("big");
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] { '\n' }), PasswordFileParser.MAX_FILE + 10);
        }
        assertThatThrownBy(() -> PasswordFileParser.parse(f)).isInstanceOf(IOException.class)
                .hasMessageContaining("refused");
        Files.delete(f);
    }

    @Test
    void readsAFileWrittenByMosquittoPasswd() throws Exception {
        Path f = dir.resolve("real");
        Mosquitto.passwd("-c", "-b", f.toString(), "u1", "p1");
        Mosquitto.passwd("-b", f.toString(), "u2", "p2");
        Mosquitto.passwd("-H", "sha512", "-b", f.toString(), "u3", "p3");
        Mosquitto.passwd("-b", f.toString(), "u1", "p1new");
        ParseResult r = PasswordFileParser.parse(f);
        assertThat(r.problems()).isEmpty();
        assertThat(List.of(ok(r, "u1", "p1new"), ok(r, "u1", "p1"), ok(r, "u2", "p2"), ok(r, "u3", "p3")))
                .containsExactly(true, false, true, true);
    }
}
