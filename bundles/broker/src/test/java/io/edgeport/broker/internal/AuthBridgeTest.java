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
import io.edgeport.broker.engine.ConnectDecision;
import io.edgeport.broker.engine.ConnectInfo;
import io.edgeport.broker.engine.Listener;

class AuthBridgeTest {

    private static byte[] pw(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ConnectInfo connect(String clientId, String user, byte[] password) {
        return connect(clientId, user, password, Listener.TCP, null);
    }

    private static ConnectInfo connect(String clientId, String user, byte[] password, Listener listener, String will) {
        return new ConnectInfo(clientId, user, password, List.of(), null, listener, will, null);
    }

    private static boolean accepted(AuthBridge b, String clientId, String user, byte[] password) {
        return b.authenticate(connect(clientId, user, password)).accepted();
    }

    @Test
    void bestRankedProviderIsAskedFirstAndFirstDefiniteAnswerWins() {
        // DS hands over lists in ascending ranking: the last element ranks highest.
        Authenticator allowAll = r -> AuthResult.allow(r.username());
        Authenticator denyMallory = r -> "mallory".equals(r.username()) ? AuthResult.deny("banned")
                : AuthResult.abstain();
        AuthBridge b = new AuthBridge(() -> List.of(allowAll, denyMallory), List::of, false);
        assertThat(accepted(b, "c1", "mallory", pw("x"))).isFalse();
        assertThat(accepted(b, "c2", "alice", pw("x"))).isTrue();
    }

    @Test
    void nobodyVouchingMeansAnonymousRuleDecides() {
        assertThat(accepted(new AuthBridge(List::of, List::of, false), "c", "u", pw("p"))).isFalse();
        assertThat(new AuthBridge(List::of, List::of, true).authenticate(connect("c", "u", pw("p"))))
                .isEqualTo(ConnectDecision.accept("u"));
    }

    @Test
    void throwingProviderDeniesAndIsCounted() {
        Authenticator broken = r -> {
            throw new IllegalStateException("bug");
        };
        AuthBridge b = new AuthBridge(() -> List.of(r -> AuthResult.allow("x"), broken), List::of, true);
        assertThat(accepted(b, "c", "u", pw("p"))).isFalse();
        assertThat(accepted(b, "c", "u", pw("p"))).isFalse();
        assertThat(b.providerFailures.get()).isEqualTo(2);
    }

    @Test
    void authorizationIsOpenWithoutAuthorizersAndClosedWhenAllAbstain() {
        assertThat(new AuthBridge(List::of, List::of, true).mayPublish("c", "u", "a/b")).isTrue();
        Authorizer abstain = r -> Decision.NO_OPINION;
        AuthBridge closed = new AuthBridge(List::of, () -> List.of(abstain), true);
        assertThat(closed.mayPublish("c", "u", "a/b")).isFalse();
        assertThat(closed.maySubscribe("c", "u", "a/b")).isFalse();
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
        ConnectDecision d = b.authenticate(connect("client-7", "s7", pw("p")));
        assertThat(d).isEqualTo(ConnectDecision.accept("device:s7"));
        // The engine passes the identity it was given with every later question.
        assertThat(b.mayPublish("client-7", d.identity(), "x/y")).isTrue();
        assertThat(b.maySubscribe("client-7", d.identity(), "x/#")).isFalse();
        assertThat(asked).containsExactly("device:s7 PUBLISH x/y", "device:s7 SUBSCRIBE x/#");
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
        assertThat(b.mayLeaveWill("c", "open/x")).isFalse();
        assertThat(b.mayLeaveWill("c", "$SYS/x")).isFalse();
    }

    @Test
    void aProviderThatHangsIsADenialAfterTheTimeLimit() {
        java.util.concurrent.ExecutorService exec = java.util.concurrent.Executors.newCachedThreadPool();
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        try {
            Authenticator hangs = r -> {
                try {
                    never.await(); // hangs until the executor is shut down
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return AuthResult.allow("late");
            };
            AuthBridge b = new AuthBridge(() -> List.of(r -> AuthResult.allow("x"), hangs), List::of, true, exec);
            assertThat(accepted(b, "c", "u", pw("p"))).isFalse();
            assertThat(b.providerFailures.get()).isEqualTo(1);
        } finally {
            exec.shutdownNow();
        }
    }

    @Test
    void aLastWillIsCheckedLikeAPublish() {
        Authorizer noWills = r -> r.topic().startsWith("wills/") ? Decision.DENY : Decision.ALLOW;
        AuthBridge b = new AuthBridge(() -> List.of(r -> AuthResult.allow(r.username())), () -> List.of(noWills),
                false);
        assertThat(b.authenticate(connect("c", "u", pw("p"), Listener.TCP, "status/c")).accepted()).isTrue();
        assertThat(b.authenticate(connect("c", "u", pw("p"), Listener.TCP, "wills/c")).accepted()).isFalse();
        assertThat(b.authenticate(connect("c", "u", pw("p"), Listener.TCP, "$SYS/x")).accepted()).isFalse();
    }
}
