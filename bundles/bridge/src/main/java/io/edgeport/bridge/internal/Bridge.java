package io.edgeport.bridge.internal;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import javax.net.ssl.SSLSocketFactory;

import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.store.MessageStore;
import io.edgeport.api.store.StoreCursor;
import io.edgeport.api.store.StoredMessage;
import io.edgeport.commons.bridge.BridgeSettings;
import io.edgeport.commons.bridge.TopicRule;
import io.edgeport.commons.mqtt.TopicFilters;

/**
 * One running bridge. Its thread connects to the upstream (the addresses in order, the first preferred), reads the
 * message store at the bridge's own position and publishes what the out topics match; the position is committed only
 * up to the oldest message the upstream has not acknowledged yet, so after a lost connection, a broker restart or a
 * crash everything from there is sent again (at least once, in the order the broker accepted it). Messages arriving
 * on the in topics are published into the local broker marked with the bridge's origin, which its out side skips;
 * on {@code both} topics the upstream's echo of what the bridge sent is dropped ({@link Echoes}).
 */
final class Bridge implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Bridge.class);
    /** Longest wait for the upstream's CONNACK or SUBACK. */
    private static final long CONNECT_TIMEOUT_MS = 15_000;

    /** Where incoming messages go: the local broker. */
    interface Local {
        void publish(String topic, byte[] payload, int qos, boolean retain, String origin);
    }

    /** What the console and the shell show. */
    record Status(String connection, String state, String upstream, String lastError, long sent, long received,
                  long lagBytes, long lagSeconds, long echoesDropped) {
    }

    private final BridgeSettings settings;
    private final Supplier<MessageStore> stores;
    private final Local local;
    private final SSLSocketFactory tls;
    private final Echoes echoes = new Echoes();
    private final Thread thread;
    private final Object signal = new Object();
    private final AtomicInteger inflight = new AtomicInteger();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final List<TopicRule> outRules;
    private final List<TopicRule> inRules;

    private volatile boolean closed;
    private volatile boolean lost;
    private volatile MqttAsyncClient client;
    private volatile String state = "starting";
    private volatile String upstream = "";
    private volatile String lastError = "";
    private volatile StoreCursor cursor;
    /** When the broker accepted the newest message the upstream has acknowledged (for the lag in seconds). */
    private volatile Instant committedAccepted;

    /** A message read from the store: done once the upstream acknowledged it, or it is not for upstream. */
    private static final class Pending {
        final long position;
        final Instant accepted;
        volatile boolean done;

        Pending(long position, Instant accepted) {
            this.position = position;
            this.accepted = accepted;
        }
    }

    private static final class Lost extends Exception {
        private static final long serialVersionUID = 1L;

        Lost(String why) {
            super(why, null, false, false);
        }
    }

    Bridge(BridgeSettings settings, Supplier<MessageStore> stores, Local local) throws Exception {
        this.settings = settings;
        this.stores = stores;
        this.local = local;
        this.tls = settings.tls() ? Tls.socketFactory(settings) : null;
        this.outRules = settings.outRules();
        this.inRules = settings.inRules();
        this.thread = new Thread(this::run, "edgeport-bridge-" + settings.connection());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    BridgeSettings settings() {
        return settings;
    }

    Status status() {
        StoreCursor c = cursor;
        long lagBytes = -1;
        try {
            lagBytes = c == null ? -1 : c.lagBytes();
        } catch (RuntimeException e) {
            // closed meanwhile
        }
        Instant at = committedAccepted;
        long lagSeconds = lagBytes == 0 && inflight.get() == 0 ? 0
                : at == null ? -1 : Math.max(0, Instant.now().getEpochSecond() - at.getEpochSecond());
        return new Status(settings.connection(), state, upstream, lastError, sent.get(), received.get(), lagBytes,
                lagSeconds, echoes.dropped());
    }

    private void run() {
        while (!closed) {
            try {
                if (lost) {
                    dropConnection();
                }
                if (cursor == null && !outRules.isEmpty() && !openCursor() && client == null) {
                    // registered in the store before the first connect: what devices publish while the upstream
                    // cannot be reached is kept for the bridge from its configuration on
                    pause(500);
                    continue;
                }
                if (client == null) {
                    if (!connect()) {
                        pause(settings.restartTimeout() * 1000L);
                    }
                    continue;
                }
                if (outRules.isEmpty()) {
                    pause(500);
                    continue;
                }
                if (cursor == null && !openCursor()) {
                    pause(500);
                    continue;
                }
                pump();
            } catch (Lost e) {
                lost = true;
            } catch (IllegalStateException e) {
                // the store closed the cursor (the broker restarts): open it again, continue where committed
                closeCursor();
                pause(500);
            } catch (IOException e) {
                note("cannot read the message store: " + e.getMessage());
                closeCursor();
                pause(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                LOG.warn("Bridge {}: {}", settings.connection(), e.toString(), e);
                lost = true;
                pause(1000);
            }
        }
        MqttAsyncClient c = client;
        if (c != null && settings.notifyUpstream()) {
            try { // a planned stop: say so upstream (the Will covers the others)
                c.publish(settings.notificationTopic(), new byte[] {'0'}, 1, true).waitForCompletion(1000);
            } catch (MqttException | RuntimeException e) {
                // the Will says it when the connection drops
            }
        }
        dropConnection();
        closeCursor();
    }

    private boolean openCursor() throws IOException {
        MessageStore store = stores.get();
        if (store == null) {
            return false;
        }
        StoreCursor c = store.open(settings.consumerName(), outRules.stream().map(TopicRule::localFilter).toList());
        c.seek(c.committed()); // continue after what the upstream acknowledged
        pending.clear();
        cursor = c;
        return true;
    }

    private void closeCursor() {
        StoreCursor c = cursor;
        cursor = null;
        pending.clear();
        if (c != null) {
            try {
                c.close();
            } catch (RuntimeException e) {
                // already closed by the store
            }
        }
    }

    private void pump() throws IOException, InterruptedException, Lost {
        StoreCursor c = cursor;
        int room = settings.maxInflight() - inflight.get();
        if (room <= 0) {
            awaitAck(100);
            commitDone(c);
            return;
        }
        List<StoredMessage> batch = c.poll(Math.min(room, 1000), 200);
        long now = System.currentTimeMillis();
        for (StoredMessage m : batch) {
            Pending p = new Pending(m.position(), m.accepted());
            pending.add(p);
            TopicRule r = settings.origin().equals(m.clientId()) ? null : outRule(m.topic());
            if (r == null) {
                p.done = true; // brought in by this bridge, or for another rule's direction
                continue;
            }
            String remote = r.toRemote(m.topic());
            if (r.both()) {
                echoes.sent(remote, m.payload(), now);
            }
            send(remote, m, Math.min(r.qos(), m.qos()), p);
        }
        commitDone(c);
    }

    private TopicRule outRule(String topic) {
        for (TopicRule r : outRules) {
            if (TopicFilters.matches(r.localFilter(), topic)) {
                return r;
            }
        }
        return null;
    }

    private TopicRule inRule(String topic) {
        for (TopicRule r : inRules) {
            if (TopicFilters.matches(r.remoteFilter(), topic)) {
                return r;
            }
        }
        return null;
    }

    private final IMqttActionListener acked = new IMqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
            ((Pending) token.getUserContext()).done = true;
            inflight.decrementAndGet();
            sent.incrementAndGet();
            wake();
        }

        @Override
        public void onFailure(IMqttToken token, Throwable e) {
            inflight.decrementAndGet();
            lost = true;
            wake();
        }
    };

    private void send(String topic, StoredMessage m, int qos, Pending p) throws InterruptedException, Lost {
        MqttAsyncClient c = client;
        while (true) {
            if (lost || c == null) {
                throw new Lost("connection lost");
            }
            inflight.incrementAndGet();
            try {
                IMqttDeliveryToken t = c.publish(topic, m.payload(), qos, m.retain(), p, acked);
                if (t == null) {
                    throw new Lost("not sent");
                }
                return;
            } catch (MqttException e) {
                inflight.decrementAndGet();
                if (e.getReasonCode() == MqttException.REASON_CODE_MAX_INFLIGHT) {
                    awaitAck(50);
                    continue;
                }
                if (e.getReasonCode() != MqttException.REASON_CODE_CLIENT_NOT_CONNECTED) {
                    note("publish failed: " + describe(e)); // not connected: connectionLost says it
                }
                throw new Lost(describe(e));
            }
        }
    }

    /** Commits up to the oldest message that is not done yet. */
    private void commitDone(StoreCursor c) {
        Pending last = null;
        while (!pending.isEmpty() && pending.peekFirst().done) {
            last = pending.pollFirst();
        }
        if (last != null) {
            c.commit(last.position);
            committedAccepted = last.accepted;
        }
    }

    private void awaitAck(long ms) throws InterruptedException {
        synchronized (signal) {
            signal.wait(ms);
        }
    }

    private void wake() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    private void pause(long ms) {
        long end = System.currentTimeMillis() + ms;
        try {
            synchronized (signal) {
                long left;
                while (!closed && (left = end - System.currentTimeMillis()) > 0) {
                    signal.wait(left);
                    if (lost && client != null) {
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final MqttCallback callback = new MqttCallback() {
        @Override
        public void connectionLost(Throwable cause) {
            note("connection lost: " + (cause == null ? "closed" : describe(cause)));
            lost = true;
            wake();
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            TopicRule r = inRule(topic);
            if (r == null) {
                return;
            }
            byte[] payload = message.getPayload();
            if (r.both() && echoes.isEcho(topic, payload, System.currentTimeMillis())) {
                return;
            }
            // Throws while the local broker restarts: Paho then drops the connection without acknowledging, and the
            // upstream sends the message again after the reconnect.
            local.publish(r.toLocal(topic), payload, Math.min(r.qos(), message.getQos()), message.isRetained(),
                    settings.origin());
            received.incrementAndGet();
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // the action listener of each publish takes it
        }
    };

    private boolean connect() {
        state = "connecting";
        MqttConnectOptions o = new MqttConnectOptions();
        o.setServerURIs(settings.uris().toArray(String[]::new));
        o.setCleanSession(settings.cleanSession());
        o.setKeepAliveInterval(settings.keepAlive());
        o.setMaxInflight(settings.maxInflight());
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(10);
        if (settings.username() != null) {
            o.setUserName(settings.username());
        }
        if (settings.password() != null) {
            o.setPassword(settings.password());
        }
        if (tls != null) {
            o.setSocketFactory(tls);
            o.setHttpsHostnameVerificationEnabled(!settings.insecure());
        }
        if (settings.notifyUpstream()) {
            o.setWill(settings.notificationTopic(), new byte[] {'0'}, 1, true);
        }
        MqttAsyncClient c = null;
        try {
            c = new MqttAsyncClient(settings.uris().get(0), settings.remoteClientId(), new MemoryPersistence());
            c.setCallback(callback);
            lost = false;
            c.connect(o).waitForCompletion(CONNECT_TIMEOUT_MS);
            List<TopicRule> in = inRules;
            if (!in.isEmpty()) {
                int[] granted = c.subscribe(in.stream().map(TopicRule::remoteFilter).toArray(String[]::new),
                        in.stream().mapToInt(TopicRule::qos).toArray()).getGrantedQos();
                for (int i = 0; i < granted.length; i++) {
                    if (granted[i] == 0x80) {
                        LOG.warn("Bridge {}: the upstream refused the subscription to '{}'", settings.connection(),
                                in.get(i).remoteFilter());
                    }
                }
            }
            if (settings.notifyUpstream()) {
                c.publish(settings.notificationTopic(), new byte[] {'1'}, 1, true);
            }
            if (settings.notifications()) {
                notifyLocally("1");
            }
        } catch (MqttException | RuntimeException e) {
            note("cannot connect to " + String.join(", ", settings.uris()) + ": " + describe(e));
            close(c);
            state = "disconnected";
            return false;
        }
        client = c;
        upstream = c.getCurrentServerURI();
        state = "connected";
        lastError = "";
        LOG.info("Bridge {} connected to {} as {}", settings.connection(), upstream, settings.remoteClientId());
        return true;
    }

    private void notifyLocally(String value) {
        try {
            local.publish(settings.notificationTopic(), value.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 1,
                    true, settings.origin());
        } catch (RuntimeException e) {
            // the local broker is restarting; its retained state catches up at the next change
        }
    }

    /** After a lost connection: the client goes, the cursor rewinds to what the upstream acknowledged. */
    private void dropConnection() {
        MqttAsyncClient c = client;
        client = null;
        boolean wasConnected = c != null;
        close(c);
        inflight.set(0);
        pending.clear();
        StoreCursor cur = cursor;
        if (cur != null) {
            try {
                cur.seek(cur.committed());
            } catch (RuntimeException e) {
                closeCursor();
            }
        }
        lost = false;
        if (wasConnected) {
            state = "disconnected";
            if (settings.notifications()) {
                notifyLocally("0");
            }
        }
    }

    private static void close(MqttAsyncClient c) {
        if (c == null) {
            return;
        }
        try {
            if (c.isConnected()) {
                c.disconnectForcibly(0, 1000);
            }
        } catch (MqttException | RuntimeException e) {
            // going anyway
        }
        try {
            c.close(true);
        } catch (MqttException | RuntimeException e) {
            // going anyway
        }
    }

    /** Records a problem: one WARN line when it is new, DEBUG while it repeats. */
    private void note(String problem) {
        if (!problem.equals(lastError)) {
            LOG.warn("Bridge {}: {}", settings.connection(), problem);
        } else {
            LOG.debug("Bridge {}: {}", settings.connection(), problem);
        }
        lastError = problem;
    }

    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return root == e || root.getMessage() == null ? msg : msg + " (" + root.getMessage() + ")";
    }

    @Override
    public void close() {
        closed = true;
        wake();
        try {
            thread.join(5_000);
            if (thread.isAlive()) {
                thread.interrupt(); // in a long connect attempt
                thread.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
