package io.edgeport.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.edgeport.api.auth.Action;
import io.edgeport.api.auth.AuthResult;
import io.edgeport.api.auth.Authenticator;
import io.edgeport.api.auth.Authorizer;
import io.edgeport.api.auth.Decision;
import io.moquette.broker.subscriptions.Topic;

class AuthBridgeTest {

    private static byte[] pw(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void bestRankedProviderIsAskedFirstAndFirstDefiniteAnswerWins() {
        // DS hands over lists in ascending ranking: the last element ranks highest.
        Authenticator allowAll = r -> AuthResult.allow(r.username());
        Authenticator denyMallory = r -> "mallory".equals(r.username()) ? AuthResult.deny("banned")
                : AuthResult.abstain();
        AuthBridge b = new AuthBridge(() -> List.of(allowAll, denyMallory), List::of, false);
        assertThat(b.checkValid("c1", "mallory", pw("x"))).isFalse();
        assertThat(b.checkValid("c2", "alice", pw("x"))).isTrue();
    }

    @Test
    void nobodyVouchingMeansAnonymousRuleDecides() {
        assertThat(new AuthBridge(List::of, List::of, false).checkValid("c", "u", pw("p"))).isFalse();
        assertThat(new AuthBridge(List::of, List::of, true).checkValid("c", "u", pw("p"))).isTrue();
    }

    @Test
    void throwingProviderDeniesAndIsCounted() {
        Authenticator broken = r -> {
            throw new IllegalStateException("bug");
        };
        AuthBridge b = new AuthBridge(() -> List.of(r -> AuthResult.allow("x"), broken), List::of, true);
        assertThat(b.checkValid("c", "u", pw("p"))).isFalse();
        assertThat(b.checkValid("c", "u", pw("p"))).isFalse();
        assertThat(b.providerFailures.get()).isEqualTo(2);
    }

    @Test
    void authorizationIsOpenWithoutAuthorizersAndClosedWhenAllAbstain() {
        assertThat(new AuthBridge(List::of, List::of, true).mayPublish("c", "u", "a/b")).isTrue();
        Authorizer abstain = r -> Decision.NO_OPINION;
        AuthBridge closed = new AuthBridge(List::of, () -> List.of(abstain), true);
        assertThat(closed.mayPublish("c", "u", "a/b")).isFalse();
        assertThat(closed.canRead(new Topic("a/b"), "u", "c")).isFalse();
    }

    @Test
    void authorizerSeesTheIdentityTheAuthenticatorGaveAndTheAction() {
        Authenticator mapsToDevice = r -> AuthResult.allow("device:" + r.username());
        java.util.List<String> asked = new java.util.ArrayList<>();
        Authorizer recorder = r -> {
            asked.add(r.identity() + " " + r.action() + " " + r.topic());
            return r.action() == Action.PUBLISH ? Decision.ALLOW : Decision.DENY;
        };
        AuthBridge b = new AuthBridge(() -> List.of(mapsToDevice), () -> List.of(recorder), false);
        assertThat(b.checkValid("client-7", "s7", pw("p"))).isTrue();
        assertThat(b.mayPublish("client-7", "s7", "x/y")).isTrue();
        assertThat(b.canRead(new Topic("x/#"), "s7", "client-7")).isFalse();
        assertThat(asked).containsExactly("device:s7 PUBLISH x/y", "device:s7 SUBSCRIBE x/#");
        b.forget("client-7");
        b.mayPublish("client-7", "s7", "x/y");
        assertThat(asked).last().isEqualTo("s7 PUBLISH x/y");
    }

    @Test
    void dollarTopicsAreNeverWritableByClients() {
        AuthBridge b = new AuthBridge(List::of, List::of, true);
        assertThat(b.mayPublish("c", "u", "$SYS/broker/uptime")).isFalse();
        assertThat(b.mayPublish("c", "u", "$anything")).isFalse();
        assertThat(b.deniedPublishes.get()).isEqualTo(2);
    }

    @Test
    void receiveChecksAskAuthorizersOnlyWhenThereAreAny() {
        assertThat(new AuthBridge(List::of, List::of, true).mayReceive("c", "u", "any/topic")).isTrue();
        Authorizer readOnlyOpen = r -> r.action() == Action.RECEIVE && r.topic().startsWith("open/") ? Decision.ALLOW
                : Decision.NO_OPINION;
        AuthBridge b = new AuthBridge(List::of, () -> List.of(readOnlyOpen), true);
        assertThat(b.mayReceive("c", "u", "open/x")).isTrue();
        assertThat(b.mayReceive("c", "u", "closed/x")).isFalse();
        assertThat(b.anonymousWill("c", "open/x")).isFalse();
        assertThat(b.anonymousWill("c", "$SYS/x")).isFalse();
    }

    @Test
    void aProviderThatHangsIsADenialAfterTheTimeLimit() {
        java.util.concurrent.ExecutorService exec = java.util.concurrent.Executors.newCachedThreadPool();
        try {
            Authenticator hangs = r -> {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return AuthResult.allow("late");
            };
            AuthBridge b = new AuthBridge(() -> List.of(r -> AuthResult.allow("x"), hangs), List::of, true, exec);
            assertThat(b.checkValid("c", "u", pw("p"))).isFalse();
            assertThat(b.providerFailures.get()).isEqualTo(1);
        } finally {
            exec.shutdownNow();
        }
    }
}
