package io.edgeport.itest;

import io.edgeport.testsupport.net.Ports;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.common.service.ServiceAware;

import io.edgeport.api.broker.BrokerService;

/**
 * The broker runs on the engine bundle's EngineFactory service, a static mandatory reference: stopping the engine
 * bundle takes the BrokerService away (and the listener closes), starting it again brings the broker back on its
 * configuration.
 */
class EngineBundleTest {

    static final String ENGINE_BSN = "io.edgeport.broker.engine";

    @InjectService
    ConfigurationAdmin configAdmin;

    @InjectService(cardinality = 0)
    ServiceAware<BrokerService> brokers;

    @AfterEach
    void reset() throws Exception {
        Bundle engine = engineBundle();
        if (engine.getState() != Bundle.ACTIVE) {
            engine.start();
        }
        Broker.deleteConfiguration(configAdmin);
    }

    private static Bundle engineBundle() {
        for (Bundle b : Broker.context().getBundles()) {
            if (ENGINE_BSN.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + ENGINE_BSN);
    }

    @Test
    void theBrokerGoesAndComesBackWithItsEngineBundle() throws Exception {
        int port = Ports.free();
        Broker.configure(configAdmin, port, Map.of());
        assertThat(brokers.getServices()).hasSize(1);

        engineBundle().stop();
        Await.until("the BrokerService gone with its engine", Duration.ofMillis(Broker.WAIT_MS), brokers::isEmpty);
        assertThat(brokers.getServices()).as("BrokerService without an engine").isEmpty();
        assertThatThrownBy(() -> Broker.connect(port, "nobody-listens")).isInstanceOf(MqttException.class);

        engineBundle().start();
        BrokerService back = Broker.awaitListening("mqtt://127.0.0.1:" + port);
        assertThat(back.listeners()).containsExactly("mqtt://127.0.0.1:" + port);
        Broker.close(Broker.connect(port, "back-again"));
        assertThat(brokers.getServices()).hasSize(1);
    }
}
