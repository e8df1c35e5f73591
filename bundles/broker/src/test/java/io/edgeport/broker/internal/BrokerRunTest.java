package io.edgeport.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeport.api.broker.BrokerStatistics;
import io.edgeport.api.broker.MessageObserver;
import io.edgeport.api.broker.ObservedMessage;
import io.edgeport.broker.engine.EngineMessage;

/** The broker's side of a run: $SYS from the engine's counters, observers fed through the hooks. */
class BrokerRunTest {

    @TempDir
    Path data;

    private final FakeEngine.Factory factory = new FakeEngine.Factory();
    private final ObserverHub hub = new ObserverHub();

    private BrokerRun start() throws Exception {
        Settings s = Settings.from(ConfigValues.of(Map.of("sys_interval", 0), k -> null), data);
        return BrokerRun.start(factory, s, new AuthBridge(List::of, List::of, true), hub, "edgeport 9 (fake 1)", false);
    }

    @Test
    void statisticsAndSysTopicsComeFromTheEngineCounters() throws Exception {
        try (BrokerRun run = start()) {
            assertThat(factory.last.settings.admitClients()).isFalse();
            BrokerStatistics st = run.statistics();
            assertThat(st.version()).isEqualTo("edgeport 9 (fake 1)");
            assertThat(st.clientsConnected()).isEqualTo(2);
            assertThat(st.clientsMaximum()).isEqualTo(5);
            assertThat(st.clientsTotal()).as("connected + offline persistent").isEqualTo(5);
            assertThat(st.messagesReceived()).isEqualTo(100);
            assertThat(st.publishDropped()).isEqualTo(7);
            assertThat(st.retainedMessages()).isEqualTo(1);

            run.publishSys();
            Map<String, String> sys = factory.last.retained;
            assertThat(sys).containsEntry("$SYS/broker/version", "edgeport 9 (fake 1)")
                    .containsEntry("$SYS/broker/clients/disconnected", "3")
                    .containsEntry("$SYS/broker/publish/messages/received", "40")
                    .containsEntry("$SYS/broker/publish/bytes/sent", "300")
                    .containsEntry("$SYS/broker/subscriptions/count", "6")
                    .containsEntry("$SYS/broker/load/messages/received/1min", "0.00")
                    .containsEntry("$SYS/broker/errors/malformed_packet", "12")
                    .containsEntry("$SYS/broker/errors/tls_handshake", "0");
            assertThat(sys.get("$SYS/broker/uptime")).matches("\\d+ seconds");
            assertThat(sys).doesNotContainKey("$SYS/broker/store/messages/stored");

            run.storeStatistics(() -> new io.edgeport.api.store.StoreStatistics(5000, 42, 3, List.of(
                    new io.edgeport.api.store.StoreStatistics.ConsumerPosition("sink-default", 4000, 1000, true))));
            run.publishSys();
            assertThat(sys).containsEntry("$SYS/broker/store/messages/stored", "42")
                    .containsEntry("$SYS/broker/store/messages/dropped", "3")
                    .containsEntry("$SYS/broker/store/consumers/sink-default/lag", "1000 bytes");
        }
        assertThat(factory.last.closed).isTrue();
    }

    @Test
    void publishesAreObservedOnlyWhileThereAreObservers() throws Exception {
        try (BrokerRun run = start()) {
            assertThat(factory.last.observed).isFalse();
            LinkedBlockingQueue<ObservedMessage> got = new LinkedBlockingQueue<>();
            MessageObserver observer = got::add;
            hub.add(observer, Map.of(MessageObserver.TOPIC_FILTER, "a/#"));
            run.syncObservers();
            assertThat(factory.last.observed).isTrue();
            factory.last.hooks.onPublish(new EngineMessage("a/b", new byte[] {1}, 1, false, "c1", null,
                    Instant.now()));
            factory.last.hooks.onPublish(new EngineMessage("x/y", new byte[] {2}, 1, false, "c1", null,
                    Instant.now()));
            ObservedMessage m = got.poll(10, TimeUnit.SECONDS);
            assertThat(m.topic()).isEqualTo("a/b");
            assertThat(m.clientId()).isEqualTo("c1");
            assertThat(m.username()).isEmpty();
            hub.remove(observer);
            run.syncObservers();
            assertThat(factory.last.observed).isFalse();
        } finally {
            hub.close();
        }
    }
}
