package io.edgeport.auth.passwd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeport.api.auth.ConnectRequest;
import io.edgeport.api.auth.Decision;

/** Reload rules: stable-for-one-poll, bad lines skipped, keep the last good table when the file is broken. */
class FileRealmTest {

    @TempDir
    Path dir;

    private static Decision decide(FileRealm r, String user, String pw) {
        return r.authenticate(new ConnectRequest("c", user, pw.getBytes(StandardCharsets.UTF_8), null, null, ""))
                .outcome();
    }

    /** Rewrites the file in place and moves its time stamp, as mosquitto_passwd does. */
    private static void rewrite(Path f, String text, int tick) throws Exception {
        Files.writeString(f, text);
        Files.setLastModifiedTime(f, FileTime.fromMillis(1_000_000L * tick));
    }

    @Test
    void pollAppliesAChangeOnceStableAndKeepsLastGoodWhenBroken() throws Exception {
        Path f = dir.resolve("passwd");
        String a = Mosquitto.line(dir, "alice", "a");
        String b = Mosquitto.line(dir, "bob", "b");
        rewrite(f, a + "\n", 1);
        FileRealm realm = new FileRealm("test", f, UserTable.UnknownUser.DENY, 101);
        realm.reloadNow();
        assertThat(decide(realm, "alice", "a")).isEqualTo(Decision.ALLOW);

        rewrite(f, a + "\n" + b + "\nbroken line:$7$x\n", 2);
        realm.poll();
        assertThat(decide(realm, "bob", "b")).as("not yet: the change must be stable for one poll")
                .isEqualTo(Decision.DENY);
        realm.poll();
        assertThat(decide(realm, "bob", "b")).isEqualTo(Decision.ALLOW);
        assertThat(realm.problems()).singleElement().asString().startsWith(f.toAbsolutePath() + ":3: ");

        rewrite(f, "alice:garbage\nbob:$7$1$2$3\n", 3);
        realm.poll();
        realm.poll();
        assertThat(decide(realm, "alice", "a")).as("all entries broken: last good kept").isEqualTo(Decision.ALLOW);
        assertThat(decide(realm, "bob", "b")).isEqualTo(Decision.ALLOW);

        Files.delete(f);
        realm.poll();
        realm.poll();
        assertThat(decide(realm, "alice", "a")).as("file gone: last good kept").isEqualTo(Decision.ALLOW);

        rewrite(f, "# everybody removed on purpose\n", 4);
        realm.poll();
        realm.poll();
        assertThat(decide(realm, "alice", "a")).as("an empty file is a valid file").isEqualTo(Decision.DENY);
        assertThat(realm.users().size()).isZero();
    }

    @Test
    void ownEditsApplyAtOnceAndMissingFileStartsEmpty() throws Exception {
        Path f = dir.resolve("new/passwd");
        FileRealm realm = new FileRealm("test", f, UserTable.UnknownUser.ABSTAIN, 101);
        realm.reloadNow();
        assertThat(decide(realm, "alice", "a")).isEqualTo(Decision.NO_OPINION);
        realm.setPassword("alice", "a");
        assertThat(decide(realm, "alice", "a")).isEqualTo(Decision.ALLOW);
        assertThat(realm.delete("alice")).isTrue();
        assertThat(decide(realm, "alice", "a")).isEqualTo(Decision.NO_OPINION);
    }

    @Test
    void picksUpPasswordsSetByMosquittoPasswd() throws Exception {
        Path f = dir.resolve("passwd");
        FileRealm realm = new FileRealm("test", f, UserTable.UnknownUser.DENY, 101);
        realm.setPassword("ours", "o");
        Mosquitto.passwd("-b", f.toString(), "theirs", "t");
        Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() + 5000));
        realm.poll();
        realm.poll();
        assertThat(decide(realm, "theirs", "t")).isEqualTo(Decision.ALLOW);
        assertThat(decide(realm, "ours", "o")).isEqualTo(Decision.ALLOW);
    }

    @Test
    void dataDirectoryPlaceholder() {
        assertThat(PasswdRealm.resolve(PasswdRealmConfig.DEFAULT_FILE, "/var/lib/edgeport"))
                .isEqualTo(Path.of("/var/lib/edgeport/passwd"));
        assertThat(PasswdRealm.resolve("", null)).isEqualTo(Path.of("data/passwd").toAbsolutePath());
        assertThat(PasswdRealm.resolve("/etc/mosquitto/passwd", "/x")).isEqualTo(Path.of("/etc/mosquitto/passwd"));
    }
}
