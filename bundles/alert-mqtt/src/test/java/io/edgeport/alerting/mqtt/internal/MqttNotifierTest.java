package io.edgeport.alerting.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.annotation.Annotation;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.edgeport.api.alerting.Alarm;
import io.edgeport.api.alerting.AlarmEvent;
import io.edgeport.api.alerting.AlarmState;
import io.edgeport.api.alerting.Severity;
import io.edgeport.api.alerting.Transition;
import io.edgeport.api.broker.BrokerService;
import io.edgeport.api.broker.BrokerStatistics;

class MqttNotifierTest {

    record Published(String topic, String payload, int qos, boolean retain) {
    }

    static final class Broker implements BrokerService {
        final List<Published> published = new ArrayList<>();

        @Override
        public void publish(String topic, byte[] payload, int qos, boolean retain) {
            published.add(new Published(topic, new String(payload, StandardCharsets.UTF_8), qos, retain));
        }

        @Override
        public List<String> listeners() {
            return List.of();
        }

        @Override
        public BrokerStatistics statistics() {
            throw new UnsupportedOperationException();
        }
    }

    static MqttNotifier notifier(String topic) {
        return new MqttNotifier(new MqttNotifierConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return MqttNotifierConfig.class;
            }

            @Override
            public String topic() {
                return topic;
            }

            @Override
            public int qos() {
                return 1;
            }
        });
    }

    static final Alarm RAISED = new Alarm("a1", "temperature", "threshold", "dev/1+", "temperature", Severity.CRITICAL,
            AlarmState.RAISED, "too hot <b>", 60.5, 50, Instant.parse("2026-01-01T00:00:00Z"), null, false, "", null);

    @Test
    void retainedWhileRaisedRemovedOnClear() {
        Broker b = new Broker();
        MqttNotifier n = notifier("alerts/{severity}/{device}");
        n.broker = b;
        n.notify(AlarmEvent.of(Transition.RAISED, RAISED));
        Alarm acked = RAISED.acknowledged("alice", Instant.parse("2026-01-01T00:01:00Z"));
        n.notify(AlarmEvent.of(Transition.ACKNOWLEDGED, acked));
        Alarm cleared = acked.cleared(Instant.parse("2026-01-01T00:02:00Z"));
        n.notify(AlarmEvent.of(Transition.CLEARED, cleared));
        assertThat(b.published).extracting(Published::topic).containsOnly("alerts/critical/dev_1_");
        assertThat(b.published).extracting(Published::retain).containsExactly(true, true, false, true);
        assertThat(b.published.get(0).payload()).startsWith("{\"event\":\"a1.raised\",\"transition\":\"raised\","
                + "\"id\":\"a1\"").contains("\"message\":\"too hot \\u003cb\\u003e\"", "\"value\":60.5",
                        "\"cleared_at\":null");
        assertThat(b.published.get(1).payload()).contains("\"acknowledged\":true", "\"acknowledged_by\":\"alice\"");
        assertThat(b.published.get(2).payload()).contains("\"state\":\"cleared\"");
        assertThat(b.published.get(3).payload()).isEmpty();
    }

    @Test
    void withoutABrokerTheEngineIsAskedToRetry() {
        MqttNotifier n = notifier("");
        assertThatThrownBy(() -> n.notify(AlarmEvent.of(Transition.RAISED, RAISED)))
                .isInstanceOf(IllegalStateException.class);
        assertThat(MqttNotifier.topic("alerts/{severity}/{device}/{rule}", RAISED))
                .isEqualTo("alerts/critical/dev_1_/temperature");
    }
}
