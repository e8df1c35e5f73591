package io.edgeport.broker.internal;

import java.lang.reflect.Field;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.moquette.broker.Server;
import io.moquette.broker.metrics.BytesMetricsCollector;
import io.moquette.broker.metrics.MessageMetricsCollector;

/**
 * Reads the packet and byte counters that Moquette 0.17 keeps in its acceptor but does not expose. They count every
 * MQTT packet and byte in and out, which is exactly what Mosquitto publishes as $SYS/broker/messages/* and
 * bytes/*. Reflection on one pinned Moquette version; if the fields are not there, the counters read -1 and a
 * warning says so (a test pins this behaviour on 0.17).
 */
final class MoquetteProbe {

    private static final Logger LOG = LoggerFactory.getLogger(MoquetteProbe.class);

    private final MessageMetricsCollector messages;
    private final BytesMetricsCollector bytes;

    MoquetteProbe(Server server) {
        MessageMetricsCollector m = null;
        BytesMetricsCollector b = null;
        try {
            Object acceptor = field(server, "acceptor");
            m = (MessageMetricsCollector) field(acceptor, "metricsCollector");
            b = (BytesMetricsCollector) field(acceptor, "bytesMetricsCollector");
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("Moquette traffic counters are not reachable; $SYS messages/bytes counters will read -1: {}",
                    e.toString());
        }
        this.messages = m;
        this.bytes = b;
    }

    private static Object field(Object target, String name) throws ReflectiveOperationException {
        Field f = target.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(target);
    }

    boolean available() {
        return messages != null && bytes != null;
    }

    long messagesReceived() {
        return messages == null ? -1 : messages.computeMetrics().messagesRead();
    }

    long messagesSent() {
        return messages == null ? -1 : messages.computeMetrics().messagesWrote();
    }

    long bytesReceived() {
        return bytes == null ? -1 : bytes.computeMetrics().readBytes();
    }

    long bytesSent() {
        return bytes == null ? -1 : bytes.computeMetrics().wroteBytes();
    }
}
