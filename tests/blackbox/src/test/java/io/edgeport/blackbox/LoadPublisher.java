package io.edgeport.blackbox;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.BitSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

import org.awaitility.core.ConditionTimeoutException;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A Paho publisher under load for the crash harness: numbered messages (ids count up over every run of this object) as
 * fast as its in-flight window allows, on its own thread, until {@link #finish()} or until its connection is lost.
 *
 * <p>A message is <em>acknowledged</em> only when Paho completed its token without an error: the PUBACK arrived at
 * QoS 1, the PUBCOMP at QoS 2 (what Paho reports as {@code deliveryComplete}). Tokens whose completion callback had not
 * run when the connection was lost are looked at directly, so an acknowledgement that arrived just before a crash is
 * counted too. Not thread-safe: one test thread calls {@link #start}, {@link #finish()} and the readers, in that order.
 */
final class LoadPublisher {

    private final String name;
    private final int qos;
    private final int window;
    private final boolean retain;
    private final LongFunction<String> topic;
    private final LongFunction<byte[]> payload;
    /** Ids handed to Paho; the next one to send. */
    private long next;
    private final BitSet acked = new BitSet();
    private final Map<Long, IMqttDeliveryToken> outstanding = new ConcurrentHashMap<>();
    private volatile boolean stop;
    private MqttAsyncClient client;
    private Thread thread;
    private long runFirst;
    private volatile Throwable failure;

    /**
     * @param window the most messages in flight (Paho's maxInflight)
     * @param topic id → topic
     * @param payload id → payload
     */
    LoadPublisher(String name, int qos, int window, boolean retain, LongFunction<String> topic,
            LongFunction<byte[]> payload) {
        this.name = name;
        this.qos = qos;
        this.window = window;
        this.retain = retain;
        this.topic = topic;
        this.payload = payload;
    }

    /** Connects (clean session) and publishes from a new thread, at most {@code limit} messages in this run. */
    void start(String uri, long limit) throws MqttException {
        client = new MqttAsyncClient(uri, name + "-" + System.nanoTime(), new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setAutomaticReconnect(false);
        o.setMaxInflight(window);
        o.setConnectionTimeout(10);
        client.connect(o).waitForCompletion(15_000);
        stop = false;
        failure = null;
        runFirst = next;
        long last = limit > Long.MAX_VALUE - next ? Long.MAX_VALUE : next + limit;
        thread = new Thread(() -> publish(last), "load-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    private void publish(long last) {
        Semaphore permits = new Semaphore(window);
        IMqttActionListener listener = new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                long id = (Long) token.getUserContext();
                synchronized (acked) {
                    acked.set((int) id);
                }
                outstanding.remove(id);
                permits.release();
            }

            @Override
            public void onFailure(IMqttToken token, Throwable exception) {
                permits.release();
            }
        };
        try {
            while (!stop && next < last && client.isConnected()) {
                if (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                long id = next;
                IMqttDeliveryToken token;
                try {
                    token = client.publish(topic.apply(id), payload.apply(id), qos, retain, id, listener);
                } catch (MqttException e) {
                    permits.release();
                    if (client.isConnected() && e.getReasonCode() == MqttException.REASON_CODE_MAX_INFLIGHT) {
                        continue; // the window frees up a moment after our permit was released
                    }
                    break; // the connection is gone: the id was never handed over
                }
                next = id + 1;
                outstanding.put(id, token);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    /** Waits until at least one message of this run was acknowledged; bounded. */
    boolean awaitFirstAck(long timeoutMs) {
        try {
            await("a first acknowledged message of " + name).atMost(Duration.ofMillis(timeoutMs))
                    .pollInterval(Duration.ofMillis(20)).until(() -> {
                        synchronized (acked) {
                            return acked.nextSetBit((int) runFirst) >= 0;
                        }
                    });
            return true;
        } catch (ConditionTimeoutException none) {
            return false;
        }
    }

    /**
     * Ends this run after the gateway was killed or stopped: waits (bounded) until Paho noticed the lost connection,
     * stops the thread, counts the tokens completed without error and closes the client.
     */
    void finish() throws InterruptedException {
        await("publisher " + name + " noticed the lost connection").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20)).until(() -> !client.isConnected());
        stop = true;
        thread.join(10_000);
        if (thread.isAlive()) {
            throw new AssertionError("publisher " + name + " did not stop");
        }
        if (failure != null) {
            throw new AssertionError("publisher " + name + " failed", failure);
        }
        for (Map.Entry<Long, IMqttDeliveryToken> e : outstanding.entrySet()) {
            IMqttDeliveryToken t = e.getValue();
            if (t.isComplete() && t.getException() == null) {
                synchronized (acked) {
                    acked.set((int) (long) e.getKey());
                }
            }
        }
        outstanding.clear();
        try {
            client.disconnectForcibly(0, 1_000);
        } catch (MqttException e) {
            // already disconnected
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            // closed
        }
    }

    String name() {
        return name;
    }

    int qos() {
        return qos;
    }

    /** First id of the current (or last) run. */
    long runFirst() {
        return runFirst;
    }

    /** One past the last id handed to Paho. */
    long next() {
        return next;
    }

    boolean acked(long id) {
        synchronized (acked) {
            return acked.get((int) id);
        }
    }

    /** Acknowledged ids in [from, to). */
    long ackedCount(long from, long to) {
        synchronized (acked) {
            return acked.get((int) from, (int) to).cardinality();
        }
    }

    /** The highest acknowledged id, or -1. */
    long lastAcked() {
        synchronized (acked) {
            return acked.length() - 1;
        }
    }
}
