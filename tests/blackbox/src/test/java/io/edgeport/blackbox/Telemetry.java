package io.edgeport.blackbox;

import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Helpers for the telemetry tests: an independent MQTT observer that records which readings (device, seq) were
 * published, fleets and sinks created through the web console's configuration form, and the sink's JSON query API.
 */
final class Telemetry {

    private static final Pattern DEVICE = Pattern.compile("\"device_id\":\"([^\"]+)\"");
    private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");
    private static final Pattern VALUE = Pattern.compile("\"value\":(-?[0-9.eE+-]+)");
    private static final Pattern MEASUREMENT = Pattern.compile("\"measurement\":\"([^\"]+)\"");
    private static final Pattern PID = Pattern.compile("\"pid\":\"([^\"]+)\"");

    private Telemetry() {
    }

    /** Subscribes to sensors/# (QoS 1) before the fleet starts and records every (device, seq) it sees. */
    static final class Observer implements MqttCallback, AutoCloseable {
        final Map<String, Set<Long>> seen = new ConcurrentHashMap<>();
        final AtomicLong messages = new AtomicLong();
        /** device → measurement and every value it sent. */
        final Map<String, String> measurements = new ConcurrentHashMap<>();
        final Map<String, java.util.List<Double>> values = new ConcurrentHashMap<>();
        private final MqttClient client;

        Observer(int port) throws Exception {
            client = new MqttClient("tcp://127.0.0.1:" + port, "observer-" + System.nanoTime(), new MemoryPersistence());
            client.setCallback(this);
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(true);
            o.setMaxInflight(1000);
            client.connect(o);
            client.subscribe("sensors/#", 1);
        }

        @Override
        public void messageArrived(String topic, MqttMessage m) {
            String json = new String(m.getPayload(), StandardCharsets.UTF_8);
            Matcher d = DEVICE.matcher(json);
            Matcher s = SEQ.matcher(json);
            if (d.find() && s.find()) {
                seen.computeIfAbsent(d.group(1), k -> ConcurrentHashMap.newKeySet()).add(Long.parseLong(s.group(1)));
                Matcher v = VALUE.matcher(json);
                Matcher me = MEASUREMENT.matcher(json);
                if (v.find() && me.find()) {
                    measurements.put(d.group(1), me.group(1));
                    values.computeIfAbsent(d.group(1), k -> java.util.Collections.synchronizedList(
                            new java.util.ArrayList<>())).add(Double.parseDouble(v.group(1)));
                }
                messages.incrementAndGet();
            }
        }

        long distinct() {
            return seen.values().stream().mapToLong(Set::size).sum();
        }

        /** Waits until no new reading arrived for {@code quietMs}. */
        void awaitQuiet(long quietMs) {
            AtomicLong last = new AtomicLong(-1);
            await("no new reading for " + quietMs + " ms").atMost(Duration.ofSeconds(60))
                    .during(Duration.ofMillis(quietMs)).pollInterval(Duration.ofMillis(100)).until(() -> {
                        long now = messages.get();
                        return last.getAndSet(now) == now;
                    });
        }

        void publish(String topic, String payload) throws Exception {
            client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false);
        }

        @Override
        public void connectionLost(Throwable cause) {
            lost.incrementAndGet();
        }

        /** How often the connection was lost (Paho does not reconnect this client). */
        final java.util.concurrent.atomic.AtomicInteger lost = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
        }

        @Override
        public void close() throws Exception {
            if (client.isConnected()) {
                client.disconnect(2_000);
            }
            client.close(true);
        }
    }

    /** Creates a factory configuration through the console's configuration form; returns its PID. */
    static String createFactoryConfiguration(Console console, String factoryPid, Map<String, String> values)
            throws Exception {
        Set<String> before = pids(console, factoryPid);
        Map<String, String> form = new LinkedHashMap<>();
        form.put("apply", "true");
        form.put("action", "ajaxConfigManager");
        form.put("factoryPid", factoryPid);
        form.put("propertylist", String.join(",", values.keySet()));
        form.putAll(values);
        HttpResponse<String> r = console.postForm("/configMgr/%5BTemporary%20PID%20replaced%20by%20real%20PID%20upon"
                + "%20save%5D", form);
        if (r.statusCode() >= 400) {
            throw new AssertionError("configuration form refused: " + r.statusCode() + " " + r.body());
        }
        Set<String> after = pids(console, factoryPid);
        after.removeAll(before);
        if (after.size() != 1) {
            throw new AssertionError("expected one new configuration of " + factoryPid + ", got " + after);
        }
        return after.iterator().next();
    }

    static void deleteConfiguration(Console console, String pid) throws Exception {
        HttpResponse<String> r = console.postForm("/configMgr/" + pid, Map.of("apply", "true", "delete", "true"));
        if (r.statusCode() >= 400) {
            throw new AssertionError("delete refused: " + r.statusCode() + " " + r.body());
        }
    }

    static Set<String> pids(Console console, String factoryPid) throws Exception {
        HttpResponse<String> r = console.get("/configMgr/*.json", console.admin());
        Set<String> out = new TreeSet<>();
        Matcher m = PID.matcher(r.body());
        while (m.find()) {
            if (m.group(1).startsWith(factoryPid + ".") || m.group(1).startsWith(factoryPid + "~")) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    /** Sequence numbers the sink stored for a device, through the console's JSON API; each seq with its count. */
    static Map<Long, Integer> stored(Console console, String sink, String device) throws Exception {
        HttpResponse<String> r = console.get("/telemetry/readings.json?sink=" + sink + "&limit=10000&device="
                + java.net.URLEncoder.encode(device, StandardCharsets.UTF_8), console.admin());
        if (r.statusCode() != 200) {
            throw new AssertionError("readings.json: " + r.statusCode() + " " + r.body());
        }
        Map<Long, Integer> out = new HashMap<>();
        Matcher m = SEQ.matcher(r.body());
        while (m.find()) {
            out.merge(Long.parseLong(m.group(1)), 1, Integer::sum);
        }
        return out;
    }

    /** A condition of the gateway's state that may need a request to check. */
    interface Check {
        boolean ok() throws Exception;
    }
}
