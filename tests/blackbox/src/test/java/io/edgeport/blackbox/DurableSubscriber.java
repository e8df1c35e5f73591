package io.edgeport.blackbox;

import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A persistent subscriber (clean session off) for the crash harness. It keeps one Paho client object for its whole
 * life, so its in-memory session state (QoS 2 packet ids) survives reconnects as a device's would, and counts every
 * delivery per message id. Payloads are {@link #payload(long)} (a numbered message) or {@link #sentinel(String)}; other
 * payloads are ignored. Thread-safe: Paho's callback thread records, the test thread reads.
 */
final class DurableSubscriber implements MqttCallback {

    private static final String PAD = "x".repeat(64);

    private final String clientId;
    private final String filter;
    private final int qos;
    private final MqttClient client;
    /** id → deliveries; guarded by this. */
    private int[] counts = new int[1 << 16];
    private final Set<String> sentinels = ConcurrentHashMap.newKeySet();
    private volatile long lastArrival = System.nanoTime();

    DurableSubscriber(String uri, String clientId, String filter, int qos) throws MqttException {
        this.clientId = clientId;
        this.filter = filter;
        this.qos = qos;
        this.client = new MqttClient(uri, clientId, new MemoryPersistence());
        client.setTimeToWait(20_000); // every blocking call is bounded
        client.setCallback(this);
    }

    static byte[] payload(long id) {
        return ("m" + id + " " + PAD).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] sentinel(String name) {
        return ("s" + name).getBytes(StandardCharsets.UTF_8);
    }

    /** The first connection: clean session off, then SUBSCRIBE. */
    DurableSubscriber subscribe() throws MqttException {
        connect();
        client.subscribe(filter, qos);
        return this;
    }

    /** Connects again with clean session off and does <em>not</em> subscribe: the broker must have kept that. */
    void connect() throws MqttException {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        o.setAutomaticReconnect(false);
        o.setMaxInflight(1000);
        o.setConnectionTimeout(10);
        lastArrival = System.nanoTime();
        client.connect(o);
    }

    /**
     * SUBSCRIBE again on the current connection, after the broker was found to have lost the subscription: the next
     * kill then measures its own losses, not this one's again.
     */
    void resubscribe() throws MqttException {
        client.subscribe(filter, qos);
    }

    /** A clean DISCONNECT: the session stays on the broker. */
    void disconnect() throws MqttException {
        if (client.isConnected()) {
            client.disconnect(5_000);
        }
    }

    /** After the gateway was killed: waits, bounded, until Paho noticed. */
    void awaitConnectionLost() {
        await("Paho noticed the lost connection").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> !client.isConnected());
    }

    void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(2_000);
            }
        } catch (MqttException e) {
            // gone already
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            // closed
        }
    }

    String clientId() {
        return clientId;
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        String s = new String(message.getPayload(), StandardCharsets.UTF_8);
        lastArrival = System.nanoTime();
        if (s.startsWith("s")) {
            sentinels.add(s.substring(1));
        } else if (s.startsWith("m")) {
            int space = s.indexOf(' ');
            record(Integer.parseInt(s.substring(1, space < 0 ? s.length() : space)));
        }
    }

    private synchronized void record(int id) {
        if (id >= counts.length) {
            counts = Arrays.copyOf(counts, Math.max(id + 1, counts.length * 2));
        }
        counts[id]++;
    }

    synchronized int count(long id) {
        return id < counts.length ? counts[(int) id] : 0;
    }

    /** Distinct ids in [from, to) delivered at least once. */
    synchronized long delivered(long from, long to) {
        long n = 0;
        for (long id = from; id < to && id < counts.length; id++) {
            n += counts[(int) id] > 0 ? 1 : 0;
        }
        return n;
    }

    /** Deliveries beyond the first of ids in [from, to). */
    synchronized long duplicates(long from, long to) {
        long n = 0;
        for (long id = from; id < to && id < counts.length; id++) {
            n += Math.max(0, counts[(int) id] - 1);
        }
        return n;
    }

    /** Ids in [from, to) that {@code publisher} got acknowledged and this subscriber never received. */
    synchronized long lost(LoadPublisher publisher, long from, long to) {
        long n = 0;
        for (long id = from; id < to; id++) {
            if (publisher.acked(id) && count(id) == 0) {
                n++;
            }
        }
        return n;
    }

    /** The first {@code max} ids of {@link #lost}, for the report. */
    synchronized List<Long> lostIds(LoadPublisher publisher, long from, long to, int max) {
        List<Long> out = new ArrayList<>();
        for (long id = from; id < to && out.size() < max; id++) {
            if (publisher.acked(id) && count(id) == 0) {
                out.add(id);
            }
        }
        return out;
    }

    boolean sawSentinel(String name) {
        return sentinels.contains(name);
    }

    /** Time since the last message arrived or since the last {@link #connect()}, whichever is later. */
    long quietMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastArrival);
    }

    @Override
    public void connectionLost(Throwable cause) {
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
    }
}
