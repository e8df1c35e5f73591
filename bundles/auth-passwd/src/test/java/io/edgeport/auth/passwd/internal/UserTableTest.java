package io.edgeport.auth.passwd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.edgeport.api.auth.AuthResult;
import io.edgeport.api.auth.ConnectRequest;
import io.edgeport.api.auth.Decision;

class UserTableTest {

    private final UserTable table = new UserTable(Map.of("alice", PasswordHash.pbkdf2("right", 101,
            new SecureRandom())));

    private static ConnectRequest connect(String user, String password) {
        return new ConnectRequest("c1", user, password == null ? null : password.getBytes(StandardCharsets.UTF_8),
                null, null, "mqtt");
    }

    @Test
    void knownUserWithRightPasswordIsAllowedAsItself() {
        AuthResult r = table.authenticate(connect("alice", "right"), UserTable.UnknownUser.DENY);
        assertThat(r.outcome()).isEqualTo(Decision.ALLOW);
        assertThat(r.identity()).isEqualTo("alice");
    }

    @Test
    void knownUserWithWrongOrMissingPasswordIsDenied() {
        AuthResult wrong = table.authenticate(connect("alice", "wrong"), UserTable.UnknownUser.ABSTAIN);
        assertThat(wrong.outcome()).isEqualTo(Decision.DENY);
        assertThat(wrong.reason()).isEqualTo("bad password for user alice").doesNotContain("wrong");
        assertThat(table.authenticate(connect("alice", null), UserTable.UnknownUser.ABSTAIN).outcome())
                .isEqualTo(Decision.DENY);
        assertThat(table.authenticate(connect("alice", ""), UserTable.UnknownUser.ABSTAIN).outcome())
                .isEqualTo(Decision.DENY);
    }

    @Test
    void noUsernameAbstainsSoThatAnonymousRulesDecide() {
        assertThat(table.authenticate(connect(null, null), UserTable.UnknownUser.DENY).outcome())
                .isEqualTo(Decision.NO_OPINION);
    }

    @Test
    void unknownUserIsDeniedLikeMosquittoOrPassedOn() {
        AuthResult denied = table.authenticate(connect("mallory\u001b[2J", "x"), UserTable.UnknownUser.DENY);
        assertThat(denied.outcome()).isEqualTo(Decision.DENY);
        assertThat(denied.reason()).doesNotContain("\u001b");
        assertThat(table.authenticate(connect("mallory", "x"), UserTable.UnknownUser.ABSTAIN).outcome())
                .isEqualTo(Decision.NO_OPINION);
        assertThat(table.authenticate(connect("Alice", "right"), UserTable.UnknownUser.DENY).outcome())
                .as("usernames are case-sensitive as in Mosquitto").isEqualTo(Decision.DENY);
    }
}
