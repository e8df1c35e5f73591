package io.edgeport.broker.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.edgeport.broker.engine.Engine;
import io.edgeport.broker.engine.EngineSettings;
import io.edgeport.broker.engine.Listener;
import io.edgeport.broker.engine.SessionInfo;

/**
 * The operators' view of sessions: online and offline sessions with their subscriptions and queued messages, and
 * deleting one (its queue and subscriptions go, also across a restart; a connected client is disconnected).
 */
class SessionsTest {

    private final MoquetteEngineFactory factory = new MoquetteEngineFactory();
    private final List<MqttClient> clients = new CopyOnWriteArrayList<>();
    private final Path store = Path.of("target", "sessions-test-" + UUID.randomUUID());
    private Engine engine;

    @AfterEach
    void stop() throws MqttException {
        for (MqttClient c : clients) {
            if (c.isConnected()) {
                c.disconnectForcibly(100, 100);
            }
            c.close(true);
        }
        if (engine != null) {
            engine.close();
        }
    }

    private Engine start() throws Exception {
        return factory.start(EngineSettings.builder().port(Listener.TCP, EngineSettings.ANY_PORT).storeDirectory(store)
                .allowAnonymous(true).build(), TestHooks.allowAll());
    }

    private MqttClient client(String id, boolean clean) throws MqttException {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + engine.boundPort(Listener.TCP), id, new MemoryPersistence());
        clients.add(c);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setConnectionTimeout(10);
        o.setCleanSession(clean);
        c.connect(o);
        return c;
    }

    private Optional<SessionInfo> session(String id) {
        return engine.sessions(id, 10).stream().filter(s -> s.clientId().equals(id)).findFirst();
    }

    @Test
    void listsOnlineAndOfflineSessionsWithSubscriptionsAndQueuedMessages() throws Exception {
        engine = start();
        MqttClient keeper = client("keeper", false);
        keeper.subscribe(new String[] {"plant/#", "alarms/+"}, new int[] {1, 2});
        keeper.disconnect();
        MqttClient live = client("live", true);
        live.subscribe("a/b", 0);
        for (int i = 0; i < 3; i++) {
            engine.publish("plant/line" + i, ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false);
        }

        await("3 messages queued for keeper").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> session("keeper").map(SessionInfo::queued).orElse(0L) == 3);
        SessionInfo k = session("keeper").orElseThrow();
        assertThat(k.connected()).isFalse();
        assertThat(k.persistent()).isTrue();
        assertThat(k.subscriptions()).containsExactly(new SessionInfo.Subscription("alarms/+", 2),
                new SessionInfo.Subscription("plant/#", 1));
        SessionInfo l = session("live").orElseThrow();
        assertThat(l.connected()).isTrue();
        assertThat(l.persistent()).isFalse();
        assertThat(l.subscriptions()).containsExactly(new SessionInfo.Subscription("a/b", 0));
        assertThat(l.queued()).isZero();

        assertThat(engine.sessions("", 10)).extracting(SessionInfo::clientId).containsExactly("keeper", "live");
        assertThat(engine.sessions("li", 10)).extracting(SessionInfo::clientId).containsExactly("live");
        assertThat(engine.sessions("", 1)).extracting(SessionInfo::clientId).containsExactly("keeper");
        assertThat(engine.queuedMessages()).isEqualTo(3);
    }

    @Test
    void aDeletedOfflineSessionLosesItsQueueAndSubscriptionsAlsoAfterARestart() throws Exception {
        engine = start();
        MqttClient keeper = client("keeper", false);
        keeper.subscribe("plant/#", 1);
        keeper.disconnect();
        MqttClient other = client("other", false);
        other.subscribe("plant/#", 1);
        other.disconnect();
        for (int i = 0; i < 5; i++) {
            engine.publish("plant/line" + i, ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false);
        }
        await("5 queued for each").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> engine.queuedMessages() == 10);

        assertThat(engine.deleteSession("keeper")).isTrue();
        assertThat(session("keeper")).isEmpty();
        assertThat(engine.deleteSession("keeper")).as("a second time").isFalse();
        assertThat(engine.queuedMessages()).isEqualTo(5);
        engine.publish("plant/after", new byte[] {1}, 1, false);
        await("only 'other' gets what is published after").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(10)).until(() -> engine.queuedMessages() == 6);

        engine.close();
        engine = start();
        assertThat(session("keeper")).as("after a restart").isEmpty();
        assertThat(session("other").orElseThrow().queued()).isEqualTo(6);

        List<String> received = new CopyOnWriteArrayList<>();
        MqttClient again = new MqttClient("tcp://127.0.0.1:" + engine.boundPort(Listener.TCP), "keeper",
                new MemoryPersistence());
        clients.add(again);
        again.setCallback(new Received(received));
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        boolean present = again.connectWithResult(o).getSessionPresent();
        assertThat(present).as("session present").isFalse();
        again.subscribe("marker", 1);
        engine.publish("marker", new byte[] {1}, 1, false);
        await("the marker").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> received.contains("marker"));
        assertThat(received).as("nothing queued before the delete reaches the new session").containsExactly("marker");
    }

    @Test
    void deletingAConnectedClientsSessionDisconnectsIt() throws Exception {
        engine = start();
        MqttClient live = client("live", false);
        live.subscribe("plant/#", 1);
        await("listed as connected").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> session("live").map(SessionInfo::connected).orElse(false));

        assertThat(engine.deleteSession("live")).isTrue();
        await("the client's connection closed").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> !live.isConnected());
        assertThat(session("live")).isEmpty();
        assertThat(engine.deleteSession("nobody")).isFalse();
    }

    private record Received(List<String> topics) implements org.eclipse.paho.client.mqttv3.MqttCallback {
        @Override
        public void connectionLost(Throwable cause) {
        }

        @Override
        public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
            topics.add(topic);
        }

        @Override
        public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
        }
    }
}
