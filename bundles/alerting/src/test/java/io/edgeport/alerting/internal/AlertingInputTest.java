package io.edgeport.alerting.internal;

import static io.edgeport.alerting.internal.Fixtures.rule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeport.api.alerting.Alarm;
import io.edgeport.api.store.StoredMessage;
import io.edgeport.api.telemetry.Reading;
import io.edgeport.api.telemetry.Readings;
import io.edgeport.testsupport.TestMessageStore;

/**
 * The engine's input from the broker's real message store: readings, device status and acknowledgements in the
 * order they were accepted, what arrives while the engine is away, and a store restart.
 */
class AlertingInputTest {

    @TempDir
    Path dir;
    EngineFixture f;
    TestMessageStore store;
    AlertingInput input;
    final AtomicInteger decoded = new AtomicInteger();

    /** Readings as "device value" on sensors/...: the telemetry pipeline's decoding is not this test's subject. */
    final Readings readings = new Readings() {
        @Override
        public List<String> topics() {
            return List.of("sensors/#");
        }

        @Override
        public Optional<Reading> decode(StoredMessage m) {
            decoded.incrementAndGet();
            String[] p = new String(m.payload(), StandardCharsets.UTF_8).split(" ");
            return p.length != 2 ? Optional.empty() : Optional.of(new Reading(m.topic(), p[0], "", "temperature",
                    Double.parseDouble(p[1]), "°C", m.accepted(), Reading.NO_SEQUENCE));
        }
    };

    @BeforeEach
    void setUp() throws Exception {
        f = new EngineFixture(dir);
        f.engine.putRule(rule("name", "hot", "measurement", "temperature", "max", 50));
        f.engine.putRule(rule("name", "offline", "type", "offline", "severity", "critical"));
        store = new TestMessageStore(dir.resolve("messages"));
        input = start();
    }

    private AlertingInput start() {
        return new AlertingInput(() -> store, () -> readings, "status/+/health", "alerts/ack/+", f.engine).start();
    }

    @AfterEach
    void tearDown() throws Exception {
        input.close();
        store.close();
        f.close();
    }

    private List<String> active() {
        return f.engine.active().stream().map(a -> a.rule() + " " + a.device()).sorted().toList();
    }

    @Test
    void readingsStatusAndAcknowledgementsArriveInOrder() throws Exception {
        await("reading the store").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(input::connected);
        store.publish("sensors/lab/t/d1/reading", "d1 60");
        store.publish("status/d2/health", "{\"status\":\"offline\"}");
        await("two alarms").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> active().equals(List.of("hot d1", "offline d2")));
        String id = f.engine.active().stream().filter(a -> a.device().equals("d1")).findFirst().orElseThrow().id();
        store.publish("alerts/ack/" + id, "operator");
        await("acknowledged over MQTT").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> f.engine.find(id).map(Alarm::acknowledgedBy).orElse("").equals("mqtt:operator"));
        store.publish("sensors/lab/t/d1/reading", "d1 20");
        store.publish("status/d2/health", "{\"status\":\"online\"}");
        await("both cleared").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> active().isEmpty());
        assertThat(decoded.get()).isEqualTo(2);
    }

    @Test
    void whatArrivesWhileTheEngineIsStoppedWaitsInTheStore() throws Exception {
        await("reading the store").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(input::connected);
        input.close();
        store.publish("sensors/lab/t/d1/reading", "d1 70");
        store.publish("status/d3/health", "offline");
        input = start();
        await("what waited").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> active().equals(List.of("hot d1", "offline d3")));
    }

    @Test
    void aStoreRestartIsNoticedAndNothingIsSkipped() throws Exception {
        await("reading the store").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(input::connected);
        store.publish("sensors/lab/t/d1/reading", "d1 70");
        await("first alarm").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> active().equals(List.of("hot d1")));
        store.restart();
        store.publish("status/d4/health", "offline");
        await("after the restart").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> active().equals(List.of("hot d1", "offline d4")));
    }
}
