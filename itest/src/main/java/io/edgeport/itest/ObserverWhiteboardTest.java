package io.edgeport.itest;

import io.edgeport.testsupport.net.Ports;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectService;

import io.edgeport.api.broker.MessageObserver;
import io.edgeport.api.broker.ObservedMessage;

/** Message observers come and go while clients are connected; a throwing or stuck observer hurts nobody. */
class ObserverWhiteboardTest {

    @InjectService
    ConfigurationAdmin configAdmin;

    int port;
    MqttClient publisher;
    final Registrations registrations = new Registrations();

    @BeforeEach
    void broker() throws Exception {
        port = Ports.free();
        Broker.configure(configAdmin, port, Map.of());
        publisher = Broker.connect(port, "publisher");
    }

    @AfterEach
    void cleanUp() throws Exception {
        registrations.close();
        Broker.close(publisher);
        Broker.deleteConfiguration(configAdmin);
    }

    private ServiceRegistration<MessageObserver> register(MessageObserver o, Map<String, Object> props) {
        ServiceRegistration<MessageObserver> r = Broker.context().registerService(MessageObserver.class, o,
                new Hashtable<>(props));
        registrations.add(r);
        return r;
    }

    private void publish(String topic, String payload) throws Exception {
        publisher.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false);
    }

    static final class Recorder implements MessageObserver {
        final List<String> seen = Collections.synchronizedList(new ArrayList<>());
        volatile CountDownLatch latch = new CountDownLatch(0);

        @Override
        public void onMessage(ObservedMessage m) {
            seen.add(m.topic() + "=" + new String(m.payload(), StandardCharsets.UTF_8) + "@" + m.clientId());
            latch.countDown();
        }
    }

    @Test
    void observerSeesMessagesOnlyWhileRegistered() throws Exception {
        // Observers are notified asynchronously; a marker observer tells when the broker has dispatched a message.
        Recorder marker = new Recorder();
        register(marker, Map.of());
        marker.latch = new CountDownLatch(1);
        publish("before/registration", "0");
        assertThat(marker.latch.await(5, TimeUnit.SECONDS)).isTrue();

        Recorder rec = new Recorder();
        rec.latch = new CountDownLatch(1);
        ServiceRegistration<MessageObserver> r = register(rec, Map.of());
        publish("a/b", "1");
        assertThat(rec.latch.await(5, TimeUnit.SECONDS)).isTrue();

        r.unregister();
        publish("after/unregistration", "2");
        Await.until("the marker observer saw the message after the unregistration", Duration.ofSeconds(5),
                () -> marker.seen.contains("after/unregistration=2@publisher"));
        assertThat(rec.seen).containsExactly("a/b=1@publisher");
        assertThat(marker.seen).containsExactly("before/registration=0@publisher", "a/b=1@publisher",
                "after/unregistration=2@publisher");
    }

    @Test
    void topicFilterPropertyRestrictsWhatAnObserverSees() throws Exception {
        Recorder rec = new Recorder();
        rec.latch = new CountDownLatch(2);
        register(rec, Map.of(MessageObserver.TOPIC_FILTER, new String[] { "sensors/+/temp", "alarms/#" }));
        publish("sensors/x/humidity", "no");
        publish("sensors/x/temp", "yes");
        publish("other", "no");
        publish("alarms/high/1", "yes");
        assertThat(rec.latch.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(rec.seen).containsExactly("sensors/x/temp=yes@publisher", "alarms/high/1=yes@publisher");
    }

    @Test
    void throwingAndStuckObserversDoNotStallTheBrokerOrOthers() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        register(m -> {
            throw new IllegalStateException("observer bug");
        }, Map.of());
        register(m -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, Map.of(MessageObserver.QUEUE_SIZE, 10));
        Recorder rec = new Recorder();
        int n = 200;
        rec.latch = new CountDownLatch(n);
        register(rec, Map.of());
        MqttClient sub = Broker.connect(port, "subscriber");
        try {
            CountDownLatch delivered = new CountDownLatch(n);
            sub.subscribe("load/#", 1, (t, m) -> delivered.countDown());
            for (int i = 0; i < n; i++) {
                publish("load/" + i, Integer.toString(i));
            }
            assertThat(delivered.await(10, TimeUnit.SECONDS)).as("subscriber got every message").isTrue();
            assertThat(rec.latch.await(10, TimeUnit.SECONDS)).as("healthy observer got every message").isTrue();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                expected.add("load/" + i + "=" + i + "@publisher");
            }
            assertThat(rec.seen).containsExactlyElementsOf(expected);
        } finally {
            release.countDown();
            Broker.close(sub);
        }
    }
}
