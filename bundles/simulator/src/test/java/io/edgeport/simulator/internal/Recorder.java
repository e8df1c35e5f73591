package io.edgeport.simulator.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** A Paho subscriber (QoS 1) that keeps what the simulated devices send, parsed, for assertions. */
final class Recorder implements MqttCallback, AutoCloseable {

    record Message(String topic, Map<String, Object> json, boolean retained) {
    }

    final Map<String, Set<Long>> seqs = new ConcurrentHashMap<>();
    final List<Message> readings = new CopyOnWriteArrayList<>();
    final Map<String, List<Message>> statuses = new ConcurrentHashMap<>();
    final List<Message> responses = new CopyOnWriteArrayList<>();
    final List<Throwable> problems = new CopyOnWriteArrayList<>();
    private final MqttClient client;

    Recorder(String url, String id, String... filters) throws Exception {
        client = new MqttClient(url, id, new MemoryPersistence());
        client.setCallback(this);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setMaxInflight(1000);
        client.connect(o);
        int[] qos = new int[filters.length];
        java.util.Arrays.fill(qos, 1);
        client.subscribe(filters, qos);
    }

    void publish(String topic, String payload) throws Exception {
        client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false);
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        try {
            Message m = new Message(topic, Json.object(new String(message.getPayload(), StandardCharsets.UTF_8)),
                    message.isRetained());
            String device = (String) m.json().get("device_id");
            if (topic.startsWith("status/")) {
                statuses.computeIfAbsent(device, d -> new CopyOnWriteArrayList<>()).add(m);
            } else if (topic.startsWith("responses/")) {
                responses.add(m);
            } else {
                readings.add(m);
                seqs.computeIfAbsent(device, d -> ConcurrentHashMap.newKeySet())
                        .add(((Number) m.json().get("seq")).longValue());
            }
        } catch (RuntimeException e) {
            problems.add(e);
        }
    }

    /** The status a device announced last ("online", "offline" or "stopped"), or null. */
    String lastStatus(String device) {
        List<Message> l = statuses.get(device);
        return l == null || l.isEmpty() ? null : (String) l.get(l.size() - 1).json().get("status");
    }

    int readings(String device) {
        Set<Long> s = seqs.get(device);
        return s == null ? 0 : s.size();
    }

    /** True if the device's sequence numbers are exactly 0..count-1. */
    boolean gapless(String device, long count) {
        Set<Long> s = seqs.getOrDefault(device, Set.of());
        if (s.size() != count) {
            return false;
        }
        for (long i = 0; i < count; i++) {
            if (!s.contains(i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void connectionLost(Throwable cause) {
        problems.add(cause);
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
    }

    @Override
    public void close() throws Exception {
        if (client.isConnected()) {
            client.disconnect(1000);
        }
        client.close();
    }
}
