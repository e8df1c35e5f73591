package io.edgeport.broker.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.edgeport.broker.engine.ConnectDecision;
import io.edgeport.broker.engine.ConnectInfo;
import io.moquette.broker.subscriptions.Topic;

class HookBridgeTest {

    @Test
    void laterQuestionsCarryTheIdentityTheClientWasAcceptedAsUntilItIsForgotten() {
        List<String> asked = new ArrayList<>();
        HookBridge b = new HookBridge(new TestHooks() {
            @Override
            public ConnectDecision authenticate(ConnectInfo c) {
                return ConnectDecision.accept("device:" + c.username());
            }

            @Override
            public boolean mayPublish(String clientId, String identity, String topic) {
                asked.add("publish " + identity);
                return true;
            }

            @Override
            public boolean maySubscribe(String clientId, String identity, String filter) {
                asked.add("subscribe " + identity + " " + filter);
                return false;
            }
        });
        assertThat(b.checkValid("client-7", "s7", "p".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(b.mayPublish("client-7", "s7", "x/y")).isTrue();
        assertThat(b.canRead(new Topic("x/#"), "s7", "client-7")).isFalse();
        assertThat(b.canWrite(new Topic("x/y"), "s7", "client-7")).isTrue();
        b.forget("client-7");
        b.mayPublish("client-7", "s7", "x/y");
        assertThat(asked).containsExactly("publish device:s7", "subscribe device:s7 x/#", "publish s7");
    }

    @Test
    void aRefusalOrAThrowingHookIsNo() {
        HookBridge refusing = new HookBridge(new TestHooks() {
            @Override
            public ConnectDecision authenticate(ConnectInfo c) {
                return ConnectDecision.refuse();
            }
        });
        assertThat(refusing.checkValid("c", "u", null)).isFalse();
        HookBridge broken = new HookBridge(new TestHooks() {
            @Override
            public boolean mayReceive(String clientId, String identity, String topic) {
                throw new IllegalStateException("bug");
            }

            @Override
            public boolean mayLeaveWill(String clientId, String willTopic) {
                throw new IllegalStateException("bug");
            }
        });
        assertThat(broken.mayReceive("c", null, "t")).isFalse();
        assertThat(broken.test("c", "will")).isFalse();
    }
}
