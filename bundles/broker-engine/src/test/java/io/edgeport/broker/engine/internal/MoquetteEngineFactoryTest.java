package io.edgeport.broker.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.edgeport.broker.engine.ConnectDecision;
import io.edgeport.broker.engine.ConnectInfo;
import io.edgeport.broker.engine.Engine;
import io.edgeport.broker.engine.EngineMessage;
import io.edgeport.broker.engine.EngineSettings;
import io.edgeport.broker.engine.Listener;

/** The engine through its API only: started by the factory, deciding through the hooks, reporting to them. */
class MoquetteEngineFactoryTest {

    private final MoquetteEngineFactory factory = new MoquetteEngineFactory();
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<EngineMessage> observed = new LinkedBlockingQueue<>();
    private final List<MqttClient> clients = new CopyOnWriteArrayList<>();
    private Engine engine;

    /** alice/pw is accepted as device:alice; nobody may publish to forbidden/ or subscribe to secret/. */
    private final TestHooks hooks = new TestHooks() {
        @Override
        public ConnectDecision authenticate(ConnectInfo c) {
            asked.add("authenticate " + c.clientId() + " " + c.listener());
            boolean ok = "alice".equals(c.username()) && "pw".equals(new String(c.password(), StandardCharsets.UTF_8));
            return ok ? ConnectDecision.accept("device:alice") : ConnectDecision.refuse();
        }

        @Override
        public boolean mayPublish(String clientId, String identity, String topic) {
            asked.add("publish " + identity + " " + topic);
            return !topic.startsWith("forbidden/");
        }

        @Override
        public boolean maySubscribe(String clientId, String identity, String filter) {
            asked.add("subscribe " + identity + " " + filter);
            return !filter.startsWith("secret/");
        }

        @Override
        public void onConnected(String clientId, boolean cleanSession) {
            events.add("connected " + clientId);
        }

        @Override
        public void onDisconnected(String clientId) {
            events.add("disconnected " + clientId);
        }

        @Override
        public void onPublish(EngineMessage message) {
            observed.add(message);
        }
    };

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

    private EngineSettings.Builder settings() {
        return EngineSettings.builder().port(Listener.TCP, EngineSettings.ANY_PORT);
    }

    private MqttClient client(String id, String user, String password) throws MqttException {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + engine.boundPort(Listener.TCP), id, new MemoryPersistence());
        clients.add(c);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setConnectionTimeout(10);
        o.setUserName(user);
        o.setPassword(password.toCharArray());
        c.connect(o);
        return c;
    }

    @Test
    void decidesThroughTheHooksAndReportsToThem() throws Exception {
        engine = factory.start(settings().build(), hooks);
        int port = engine.boundPort(Listener.TCP);
        assertThat(engine.listeners()).containsExactly("mqtt://127.0.0.1:" + port);
        assertThat(engine.boundPort(Listener.TLS)).isEqualTo(-1);

        assertThatThrownBy(() -> client("mallory", "alice", "wrong")).isInstanceOf(MqttException.class)
                .satisfies(e -> assertThat(((MqttException) e).getReasonCode()).isEqualTo(5));

        MqttClient alice = client("alice-1", "alice", "pw");
        assertThat(asked).contains("authenticate alice-1 TCP");
        LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
        alice.subscribe("t/#", 1, (topic, m) -> got.add(topic + "=" + new String(m.getPayload(),
                StandardCharsets.UTF_8)));
        assertThat(asked).contains("subscribe device:alice t/#");
        engine.observePublishes(true);
        alice.publish("t/mine", "1".getBytes(StandardCharsets.UTF_8), 1, false);
        alice.publish("forbidden/x", "2".getBytes(StandardCharsets.UTF_8), 1, false); // acknowledged, dropped
        engine.publish("t/engine", "3".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(List.of(got.poll(10, TimeUnit.SECONDS), got.poll(10, TimeUnit.SECONDS)))
                .containsExactlyInAnyOrder("t/mine=1", "t/engine=3");
        assertThat(asked).contains("publish device:alice t/mine", "publish device:alice forbidden/x");

        EngineMessage first = observed.poll(10, TimeUnit.SECONDS);
        assertThat(first.topic()).isEqualTo("t/mine");
        assertThat(first.clientId()).isEqualTo("alice-1");
        assertThat(first.username()).isEqualTo("alice");
        await("the counters").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> engine.counters().publishReceived() >= 2);
        assertThat(engine.counters().clientsConnected()).isEqualTo(1);
        assertThat(engine.counters().publishDropped()).isEqualTo(1);
        assertThat(engine.counters().subscriptions()).isEqualTo(1);

        assertThat(engine.connectedClients()).extracting(c -> c.clientId()).containsExactly("alice-1");
        assertThat(events).contains("connected alice-1");
        assertThat(engine.disconnect("alice-1")).isTrue();
        await("the disconnect").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> events.contains("disconnected alice-1"));
        assertThat(engine.disconnect("nobody")).isFalse();
        assertThatThrownBy(() -> engine.publish("t/#", new byte[0], 0, false))
                .isInstanceOf(IllegalArgumentException.class);

        engine.close();
        assertThat(engine.listeners()).isEmpty();
        assertThatThrownBy(() -> engine.publish("t/x", new byte[0], 0, false))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void holdsConnectsUntilClientsAreAdmitted() throws Exception {
        engine = factory.start(settings().admitClients(false).build(), hooks);
        CompletableFuture<MqttClient> connecting = CompletableFuture.supplyAsync(() -> {
            try {
                return client("early", "alice", "pw");
            } catch (MqttException e) {
                throw new IllegalStateException(e);
            }
        });
        await("the CONNECT to arrive").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> asked.isEmpty() && engine.counters().packetsReceived() >= 1);
        // a CONNECT let through would be authenticated within 200 ms: it stays held
        await("the CONNECT stays held").during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(10)).until(() -> !connecting.isDone() && asked.isEmpty());
        assertThat(connecting).isNotDone();
        assertThat(asked).isEmpty();

        engine.admitClients();
        assertThat(connecting.get(10, TimeUnit.SECONDS).isConnected()).isTrue();
        assertThat(asked).containsExactly("authenticate early TCP");
    }

    @Test
    void aThrowingHookMeansNo() throws Exception {
        engine = factory.start(settings().build(), new TestHooks() {
            @Override
            public ConnectDecision authenticate(ConnectInfo connect) {
                throw new IllegalStateException("bug");
            }
        });
        assertThatThrownBy(() -> client("c", "alice", "pw")).isInstanceOf(MqttException.class);
        assertThat(engine.counters().clientsConnected()).isZero();
    }

    @Test
    void theImplementationIsNamed() {
        assertThat(factory.implementation()).isEqualTo("moquette 0.17");
    }
}
