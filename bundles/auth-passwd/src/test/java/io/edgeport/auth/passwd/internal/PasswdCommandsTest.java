package io.edgeport.auth.passwd.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswdCommandsTest {

    @TempDir
    Path dir;

    private FileRealm realm(String name) {
        FileRealm r = new FileRealm(name, dir.resolve(name), UserTable.UnknownUser.DENY, 101);
        r.reloadNow();
        return r;
    }

    @Test
    void addChangeListDeleteWithOneRealm() throws Exception {
        PasswdCommands c = new PasswdCommands();
        FileRealm r = realm("main");
        c.realms = List.of(r);
        assertThat(c._main("passwd-add", "alice", "pw1")).isEqualTo("Added alice in realm main");
        assertThat(c._main("passwd-add", "alice", "pw2")).isEqualTo("Changed the password of alice in realm main");
        String list = (String) c._main("passwd-list");
        assertThat(list).contains("Realm main", "1 user", "alice", "$7$ (PBKDF2, 101 iterations)");
        String hash = Files.readString(r.file()).split("\\$")[3];
        assertThat(list).doesNotContain(hash);
        assertThat(c._main("passwd-delete", "alice")).isEqualTo("Deleted alice from realm main");
        assertThatThrownBy(() -> c._main("passwd-delete", "alice")).hasMessageContaining("no user alice");
        assertThatThrownBy(() -> c._main("passwd-add", "a:b", "pw")).hasMessageContaining("':'");
        assertThatThrownBy(() -> c._main("passwd-add", "alice")).hasMessageContaining("usage");
    }

    @Test
    void severalRealmsNeedAName() throws Exception {
        PasswdCommands c = new PasswdCommands();
        c.realms = List.of(realm("b"), realm("a"));
        assertThatThrownBy(() -> c._main("passwd-add", "alice", "pw")).hasMessageContaining("[a, b]");
        assertThat(c._main("passwd-add", "b", "alice", "pw")).isEqualTo("Added alice in realm b");
        assertThat((String) c._main("passwd-list")).containsSubsequence("Realm a", "0 users", "Realm b", "alice");
        assertThatThrownBy(() -> c._main("passwd-list", "zzz")).hasMessageContaining("no realm 'zzz'");
        c.realms = List.of();
        assertThat((String) c._main("passwd-list")).contains("No password realm");
    }
}
