package io.edgeport.auth.passwd.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswordFileEditorTest {

    @TempDir
    Path dir;

    private PasswordFileEditor editor(Path f) {
        return new PasswordFileEditor(f, new SecureRandom(), PasswordHash.DEFAULT_ITERATIONS);
    }

    private static boolean ok(Path f, String user, String pw) throws Exception {
        PasswordHash h = PasswordFileParser.parse(f).users().get(user);
        return h != null && h.matches(pw.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void newFileIsOwnerOnlyAndLinesAreMosquittoPasswdsFormat() throws Exception {
        Path f = dir.resolve("sub/passwd");
        assertThat(editor(f).setPassword("alice", "pw1")).isFalse();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(Files.readString(f)).matches("alice:\\$7\\$101\\$[A-Za-z0-9+/]{16}\\$[A-Za-z0-9+/]{86}==\n");
        assertThat(ok(f, "alice", "pw1")).isTrue();
        try (var files = Files.list(f.getParent())) {
            assertThat(files).as("no temporary files left").containsExactly(f);
        }
    }

    @Test
    void changeAndDeleteKeepEveryOtherLineByteForByte() throws Exception {
        Path f = dir.resolve("passwd");
        String bob = Mosquitto.line(dir, "bob", "bobpw", "-H", "sha512");
        String text = "# header: keep me\n\nalice:old\n  odd line without colon\t\r\n" + bob + "\nalice:dup\n"
                + "carol:$7$0$bad$bad\r\n";
        Files.writeString(f, text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        PasswordFileEditor e = editor(f);

        assertThat(e.setPassword("alice", "new")).isTrue();
        List<String> lines = List.of(Files.readString(f).split("\n", -1));
        assertThat(lines).hasSize(7);
        assertThat(lines.get(0)).isEqualTo("# header: keep me");
        assertThat(lines.get(1)).isEmpty();
        assertThat(lines.get(2)).startsWith("alice:$7$101$");
        assertThat(lines.get(3)).isEqualTo("  odd line without colon\t\r");
        assertThat(lines.get(4)).isEqualTo(bob);
        assertThat(lines.get(5)).as("the duplicate alice line is gone").isEqualTo("carol:$7$0$bad$bad\r");
        assertThat(ok(f, "alice", "new")).isTrue();
        assertThat(ok(f, "bob", "bobpw")).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-r-----");

        assertThat(e.setPassword("dave", "d")).isFalse();
        assertThat(e.delete("alice")).isTrue();
        assertThat(e.delete("alice")).isFalse();
        assertThat(Files.readString(f)).isEqualTo("# header: keep me\n\n  odd line without colon\t\r\n" + bob
                + "\ncarol:$7$0$bad$bad\r\n" + Files.readAllLines(f).get(5) + "\n");
        assertThat(ok(f, "dave", "d")).isTrue();
    }

    @Test
    void fileWithoutFinalNewlineGetsOneBeforeTheNewUser() throws Exception {
        Path f = dir.resolve("passwd");
        String bob = Mosquitto.line(dir, "bob", "bobpw");
        Files.writeString(f, bob);
        editor(f).setPassword("alice", "a");
        assertThat(ok(f, "bob", "bobpw")).isTrue();
        assertThat(ok(f, "alice", "a")).isTrue();
    }

    @Test
    void symlinkIsFollowed() throws Exception {
        Path target = dir.resolve("real");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        editor(link).setPassword("alice", "a");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(ok(target, "alice", "a")).isTrue();
    }

    @Test
    void mosquittoPasswdEditsOurFileAndWeEditItsFile() throws Exception {
        Path f = dir.resolve("passwd");
        PasswordFileEditor e = editor(f);
        e.setPassword("ours", "o1");
        Mosquitto.passwd("-b", f.toString(), "theirs", "t1");
        e.setPassword("ours2", "o2");
        Mosquitto.passwd("-b", f.toString(), "ours", "o1b");
        Mosquitto.passwd("-D", f.toString(), "ours2");
        assertThat(ok(f, "ours", "o1b")).isTrue();
        assertThat(ok(f, "theirs", "t1")).isTrue();
        assertThat(PasswordFileParser.parse(f).users()).containsOnlyKeys("ours", "theirs");
    }

    @Test
    void refusesUsernamesAndPasswordsMosquittoCannotStore() {
        PasswordFileEditor e = editor(dir.resolve("passwd"));
        for (String bad : new String[] { "", "a:b", "tab\there", " lead", "trail ", "#hash", "nl\n" }) {
            assertThatThrownBy(() -> e.setPassword(bad, "pw")).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> e.setPassword("u", "")).hasMessageContaining("empty");
        assertThatThrownBy(() -> e.setPassword("u", "a\0b")).hasMessageContaining("NUL");
        assertThatThrownBy(() -> e.setPassword("u", "x".repeat(65536))).hasMessageContaining("longer");
        assertThat(Files.exists(dir.resolve("passwd"))).isFalse();
    }
}
