package io.edgeport.alerting.internal;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.broker.InternalAccess;

/**
 * The engine's MQTT inputs besides readings: device status ({@code status/+/health}, retained, Last Will) and
 * acknowledgements ({@code alerts/ack/<alarm id>}). A persistent session (clean session false, QoS 1) on the broker's
 * internal listener, so statuses that change while the engine is away wait in the broker. Each message is handled on
 * Paho's callback thread and stored before the callback returns, and Paho acknowledges it only then; when the
 * database fails the callback throws, Paho drops the connection and the broker sends the message again after the
 * reconnect (every second while the broker is away).
 *
 * <p>Status payloads: JSON with {@code "status": "offline" | "online"} (the simulator's and the seed's), or the bare
 * words; an empty retained payload (the status was removed) counts as not offline. Anything else is ignored.
 */
final class StatusListener implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StatusListener.class);
    static final String CLIENT_NAME = "alerting-status";
    private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"([^\"]*)\"");

    private final Supplier<InternalAccess> access;
    private final String statusFilter;
    private final String ackFilter;
    private final AlarmEngine engine;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile MqttAsyncClient client;
    private boolean warned;
    private int failures;

    /**
     * @param access the broker's internal access; throws IllegalStateException while there is no broker
     * @param ackFilter empty for no MQTT acknowledgements
     */
    StatusListener(Supplier<InternalAccess> access, String statusFilter, String ackFilter, AlarmEngine engine) {
        this.access = access;
        this.statusFilter = statusFilter;
        this.ackFilter = ackFilter;
        this.engine = engine;
        this.thread = new Thread(this::run, "edgeport-alerting-status");
        this.thread.setDaemon(true);
    }

    StatusListener start() {
        thread.start();
        return this;
    }

    boolean connected() {
        MqttAsyncClient c = client;
        return c != null && c.isConnected();
    }

    private void run() {
        while (running) {
            if (!connected()) {
                connect();
            }
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                // close() interrupts
            }
        }
    }

    private void connect() {
        closeClient();
        MqttAsyncClient c = null;
        try {
            InternalAccess a = access.get();
            c = new MqttAsyncClient(a.uri(), a.clientId(), new MemoryPersistence());
            c.setCallback(new Callback());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(false);
            o.setAutomaticReconnect(false);
            o.setKeepAliveInterval(30);
            o.setUserName(a.username());
            o.setPassword(a.password().toCharArray());
            c.connect(o).waitForCompletion(15_000);
            if (ackFilter.isEmpty()) {
                c.subscribe(statusFilter, 1).waitForCompletion(15_000);
            } else {
                c.subscribe(new String[] { statusFilter, ackFilter }, new int[] { 1, 1 }).waitForCompletion(15_000);
            }
            client = c;
            warned = false;
            failures = 0;
            LOG.info("Alerting: listening to device status on {}{} as {}", statusFilter,
                    ackFilter.isEmpty() ? "" : " and to acknowledgements on " + ackFilter, a.clientId());
        } catch (MqttException | RuntimeException e) {
            // The broker restarts once while the gateway starts (its configuration arrives): the first failures are
            // expected; warn only when it lasts.
            failures++;
            if (!warned && failures >= 5) {
                warned = true;
                LOG.warn("Alerting: no device status yet ({}); retrying every second, logged once", e.toString());
            } else if (!warned) {
                LOG.debug("Alerting: broker not reachable yet ({}); retrying", e.toString());
            }
            if (c != null) {
                try {
                    c.close(true);
                } catch (MqttException x) {
                    // closing anyway
                }
            }
        }
    }

    /** Handles one message; package-private for tests. */
    void handle(String topic, byte[] payload) throws Exception {
        if (!ackFilter.isEmpty() && TopicFilter.matches(ackFilter, topic)) {
            String id = topic.substring(topic.lastIndexOf('/') + 1);
            String by = new String(payload, StandardCharsets.UTF_8).strip();
            by = by.isEmpty() ? "mqtt" : "mqtt:" + (by.length() > 64 ? by.substring(0, 64) : by);
            if (engine.acknowledge(id, by).isEmpty()) {
                LOG.info("Alerting: MQTT acknowledgement for unknown alarm '{}' ignored", id.length() > 64
                        ? id.substring(0, 64) : id);
            }
            return;
        }
        String device = device(statusFilter, topic);
        if (device == null || device.isEmpty()) {
            return;
        }
        Boolean offline = offline(payload);
        if (offline != null) {
            engine.status(topic, device, offline);
        }
    }

    /** The topic level where the filter has its first '+' (the last level when there is none). */
    static String device(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length && i < t.length; i++) {
            if (f[i].equals("+")) {
                return t[i];
            }
        }
        return t.length > 1 ? t[t.length - 2] : null;
    }

    /** true offline, false online or removed, null not a status. */
    static Boolean offline(byte[] payload) {
        if (payload.length == 0) {
            return false;
        }
        String s = new String(payload, StandardCharsets.UTF_8).strip();
        Matcher m = STATUS.matcher(s);
        String v = m.find() ? m.group(1) : s;
        if (v.equalsIgnoreCase("offline")) {
            return true;
        }
        if (v.equalsIgnoreCase("online")) {
            return false;
        }
        return null;
    }

    private void closeClient() {
        MqttAsyncClient c = client;
        client = null;
        if (c != null) {
            try {
                if (c.isConnected()) {
                    c.disconnect(0).waitForCompletion(2_000);
                }
            } catch (MqttException | RuntimeException e) {
                // closing anyway
            }
            try {
                c.close(true);
            } catch (MqttException | RuntimeException e) {
                // closing anyway
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeClient();
    }

    private final class Callback implements MqttCallback {
        @Override
        public void connectionLost(Throwable cause) {
            LOG.info("Alerting: status connection lost ({}); reconnecting", String.valueOf(cause));
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) throws Exception {
            try {
                handle(topic, message.getPayload());
            } catch (Exception e) {
                LOG.warn("Alerting: status message on {} not stored ({}); the broker sends it again", topic,
                        e.toString());
                throw e;
            }
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // this client does not publish
        }
    }
}
