package io.edgeport.console.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.edgeport.api.broker.BrokerService;
import io.edgeport.api.broker.BrokerStatistics;

class ClientsPageTest {

    final List<String> published = new ArrayList<>();
    final List<String> disconnected = new ArrayList<>();

    final BrokerService broker = new BrokerService() {
        @Override
        public void publish(String topic, byte[] payload, int qos, boolean retain) {
            published.add(topic + " " + new String(payload, StandardCharsets.UTF_8) + " " + qos + " " + retain);
        }

        @Override
        public List<String> listeners() {
            return List.of();
        }

        @Override
        public BrokerStatistics statistics() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean disconnect(String clientId) {
            disconnected.add(clientId);
            return clientId.equals("known");
        }
    };

    private ClientsPage.Flash act(Map<String, String> form) {
        return ClientsPage.act(broker, form.get("action"), form::get);
    }

    @Test
    void publishesWhatIsValidAndSaysWhyNot() {
        assertThat(act(Map.of("action", "publish", "topic", "a/b", "payload", "hi", "qos", "1", "retain", "on")))
                .isEqualTo(new ClientsPage.Flash(true, "Published 2 bytes to a/b (QoS 1, retained)."));
        assertThat(act(Map.of("action", "publish", "topic", "a/b", "payload", "", "qos", "0", "retain", "on")).text())
                .isEqualTo("Deleted the retained message of a/b.");
        assertThat(act(Map.of("action", "publish", "topic", "a/#", "qos", "0")).text()).contains("no wildcards");
        assertThat(act(Map.of("action", "publish", "topic", " ", "qos", "0")).text()).contains("topic is empty");
        assertThat(act(Map.of("action", "publish", "topic", "a", "qos", "3")).text()).contains("QoS must be");
        assertThat(act(Map.of("action", "publish", "topic", "a", "qos", "x")).text()).contains("QoS must be");
        assertThat(act(Map.of("action", "publish", "topic", "a", "qos", "0", "payload", "x".repeat(70_000))).ok())
                .isFalse();
        assertThat(published).containsExactly("a/b hi 1 true", "a/b  0 true");
    }

    @Test
    void disconnectsAConnectedClient() {
        assertThat(act(Map.of("action", "disconnect", "client", "known")).text()).isEqualTo("Disconnected known.");
        assertThat(act(Map.of("action", "disconnect", "client", "gone")).ok()).isFalse();
        assertThat(act(Map.of("action", "nonsense")).ok()).isFalse();
        assertThat(ClientsPage.act(null, "publish", k -> null).text()).contains("not running");
        assertThat(disconnected).containsExactly("known", "gone");
    }

    @Test
    void deletesARetainedMessageAndPreviewsPayloadsSafely() {
        assertThat(act(Map.of("action", "delete-retained", "topic", "a/b")).text())
                .isEqualTo("Deleted the retained message of a/b.");
        assertThat(act(Map.of("action", "delete-retained", "topic", "a/#")).ok()).isFalse();
        assertThat(published).containsExactly("a/b  0 true");
        assertThat(ClientsPage.preview("ok\n\u0007".getBytes(StandardCharsets.UTF_8))).isEqualTo("ok??");
        assertThat(ClientsPage.preview(new byte[] { (byte) 0xff, 'x' })).isEqualTo("?x");
        assertThat(ClientsPage.preview("y".repeat(500).getBytes(StandardCharsets.UTF_8)))
                .startsWith("y".repeat(120) + "...").endsWith("(500 bytes)");
    }
}
