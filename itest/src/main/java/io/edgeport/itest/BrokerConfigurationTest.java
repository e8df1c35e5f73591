package io.edgeport.itest;

import io.edgeport.testsupport.net.Ports;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectService;

import io.edgeport.api.broker.BrokerService;

/** The broker follows its ConfigAdmin configuration at runtime, and a bad configuration never takes it down. */
class BrokerConfigurationTest {

    @InjectService
    ConfigurationAdmin configAdmin;

    @AfterEach
    void reset() throws Exception {
        Broker.deleteConfiguration(configAdmin);
    }

    @Test
    void startsFromConfigurationAndRoundTripsAMessage() throws Exception {
        int port = Ports.free();
        BrokerService broker = Broker.configure(configAdmin, port, Map.of());
        assertThat(broker.listeners()).containsExactly("mqtt://127.0.0.1:" + port);

        MqttClient sub = Broker.connect(port, "sub");
        MqttClient pub = Broker.connect(port, "pub");
        try {
            LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
            sub.subscribe("t/#", 1, (topic, m) -> got.add(topic + "=" + new String(m.getPayload(),
                    StandardCharsets.UTF_8)));
            pub.publish("t/a", "one".getBytes(StandardCharsets.UTF_8), 1, false);
            broker.publish("t/b", "two".getBytes(StandardCharsets.UTF_8), 1, false);
            // Two different publishers (a client and the broker itself): no order between them is promised.
            List<String> received = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                String m = got.poll(10, TimeUnit.SECONDS);
                if (m != null) {
                    received.add(m);
                }
            }
            assertThat(received).containsExactlyInAnyOrder("t/a=one", "t/b=two");
        } finally {
            Broker.close(sub);
            Broker.close(pub);
        }
    }

    @Test
    void changedPortAppliesWithoutRestartingTheFramework() throws Exception {
        int first = Ports.free();
        Broker.configure(configAdmin, first, Map.of());
        Broker.close(Broker.connect(first, "c1"));

        int second = Ports.free();
        BrokerService b = Broker.configure(configAdmin, second, Map.of());
        assertThat(b.listeners()).containsExactly("mqtt://127.0.0.1:" + second);
        Broker.close(Broker.connect(second, "c2"));
        assertThatThrownBy(() -> Broker.connect(first, "c3")).isInstanceOf(MqttException.class);
    }

    @Test
    void invalidConfigurationKeepsTheRunningBroker() throws Exception {
        int port = Ports.free();
        Broker.configure(configAdmin, port, Map.of());
        MqttClient c = Broker.connect(port, "stays");
        try {
            configAdmin.getConfiguration(Broker.PID, "?").update(new java.util.Hashtable<>(Map.of(
                    "port", port, "persistence", false, "max_keepalive", 0, "allow_anonymous", "sometimes")));
            // The broker logs the error and keeps its previous settings: the client stays connected and a new one
            // can still connect on the same port.
            Await.during("the client stays connected", Duration.ofMillis(500), c::isConnected);
            assertThat(c.isConnected()).isTrue();
            Broker.close(Broker.connect(port, "still-accepted"));
        } finally {
            Broker.close(c);
        }
    }
}
