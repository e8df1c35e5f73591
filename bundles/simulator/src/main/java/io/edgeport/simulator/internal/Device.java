package io.edgeport.simulator.internal;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.ScheduledExecutorPingSender;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulated sensor: a Paho {@link MqttAsyncClient} with client id = device id.
 *
 * <ul>
 * <li>On connect it publishes {@code status/<id>/health} online (retained, QoS 1; the Last Will is the same topic
 * with offline, its timestamp is the time of the CONNECT) and subscribes {@code commands/<id>/#} (QoS 1).</li>
 * <li>While online, every {@code interval} it publishes a reading; the sequence number is taken only when Paho
 * accepts the message, so the numbers a subscriber sees have no gaps. A full in-flight window counts as skipped and
 * never blocks the timer thread.</li>
 * <li>Commands ({@code commands/<id>/<command>}) are answered on {@code responses/<id>}: ping, interval (payload: a
 * number of ms), drop, status; anything else gets {@code ok:false}. Retained or redelivered (DUP) drop commands
 * are refused, so a drop cannot repeat on every reconnect.</li>
 * <li>A lost connection is retried with back-off (1 s doubling to 30 s, with jitter); after a drop caused on purpose
 * the device comes back after {@code fault.dropout.s}.</li>
 * </ul>
 *
 * Threads: ticks and reconnects run on the fleet's timers, MQTT callbacks on Paho's threads; state changes are
 * guarded by {@code lock}, nothing here waits on the network.
 */
final class Device implements MqttCallback {

    enum State { NEW, CONNECTING, ONLINE, DISCONNECTED, STOPPING, STOPPED }

    /** Paho's default window; a full window means the broker is slower than the readings. */
    static final int MAX_INFLIGHT = 10;
    private static final Logger LOG = LoggerFactory.getLogger(Device.class);
    private static final long MAX_BACKOFF_MS = 30_000;

    final String id;
    final String location;
    final String topic;
    final String statusTopic;
    final String commandPrefix;
    final String responseTopic;
    private final Fleet fleet;
    private final FleetSettings settings;
    private final Sensor sensor;
    private final AtomicLong seq;
    private final DropSocketFactory sockets = new DropSocketFactory();
    private final MqttAsyncClient client;
    private final IMqttActionListener published;
    private final Object lock = new Object();
    private final Object tickLock = new Object();

    private volatile State state = State.NEW;
    private volatile long intervalMs;
    private ScheduledFuture<?> ticker; // guarded by lock
    private boolean droppedOnPurpose; // guarded by lock
    private int failures; // guarded by lock
    private boolean everConnected; // guarded by lock

    Device(Fleet fleet, int index, String serverUri, AtomicLong seq) throws MqttException {
        this.fleet = fleet;
        this.settings = fleet.settings();
        this.id = settings.deviceId(index);
        SensorType type = settings.typeOf(index);
        this.location = settings.locationOf(index);
        this.topic = settings.topic().expand(location, type.id(), id);
        this.statusTopic = "status/" + id + "/health";
        this.commandPrefix = "commands/" + id + "/";
        this.responseTopic = "responses/" + id;
        this.sensor = new Sensor(type, settings.outlierRate(), id.hashCode() * 31L + System.nanoTime());
        this.seq = seq;
        this.intervalMs = settings.intervalMs();
        FleetExecutor executor = fleet.executor();
        this.client = new MqttAsyncClient(serverUri, id, new MemoryPersistence(),
                new ScheduledExecutorPingSender(executor), executor);
        client.setCallback(this);
        FleetCounters counters = fleet.counters();
        this.published = new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                counters.published.increment();
            }

            @Override
            public void onFailure(IMqttToken token, Throwable e) {
                counters.failed.increment();
                counters.error(id + ": reading not delivered: " + e);
            }
        };
    }

    State state() {
        return state;
    }

    long seq() {
        return seq.get();
    }

    long intervalMs() {
        return intervalMs;
    }

    /** Starts ticking and connects after {@code delayMs} (the start jitter). */
    void start(long delayMs) {
        synchronized (lock) {
            if (state != State.NEW) {
                return;
            }
            state = State.DISCONNECTED;
            ticker = fleet.executor().scheduleAtFixedRate(this::tick, delayMs + intervalMs, intervalMs,
                    TimeUnit.MILLISECONDS);
        }
        fleet.executor().schedule(() -> fleet.gate().submit(this::connect), delayMs, TimeUnit.MILLISECONDS);
    }

    /** Runs when the connect gate admits this device; releases the gate exactly once. */
    private void connect() {
        AtomicBoolean done = new AtomicBoolean();
        Runnable release = () -> {
            if (done.compareAndSet(false, true)) {
                fleet.gate().release();
            }
        };
        synchronized (lock) {
            if (state != State.DISCONNECTED) {
                // stopping, or already connecting: give the permit back without recursing into the gate
                fleet.executor().execute(release);
                return;
            }
            state = State.CONNECTING;
            if (everConnected) {
                fleet.counters().reconnects.increment();
            }
        }
        MqttConnectOptions o = new MqttConnectOptions();
        o.setServerURIs(new String[] { fleet.brokerUrl() });
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(settings.cleanSession());
        o.setKeepAliveInterval(settings.keepAliveS());
        o.setConnectionTimeout(10);
        o.setAutomaticReconnect(false); // Paho's own reconnect starts a Timer thread per client
        o.setMaxInflight(MAX_INFLIGHT);
        if (settings.username() != null) {
            o.setUserName(settings.username());
        }
        if (settings.password() != null) {
            o.setPassword(settings.password().toCharArray());
        }
        o.setWill(statusTopic, Payloads.status(id, false, fleet.clock().instant()), 1, true);
        o.setSocketFactory(sockets);
        // Bound the attempt even if a broker accepts TCP but never answers CONNECT.
        ScheduledFuture<?> watchdog = fleet.executor().schedule(release, 20, TimeUnit.SECONDS);
        try {
            client.connect(o, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    watchdog.cancel(false);
                    release.run();
                    connected();
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    watchdog.cancel(false);
                    release.run();
                    connectFailed(e);
                }
            });
        } catch (MqttException | RuntimeException e) {
            watchdog.cancel(false);
            fleet.executor().execute(release);
            connectFailed(e);
        }
    }

    private void connected() {
        synchronized (lock) {
            if (state != State.CONNECTING) {
                return; // stopping: stop() takes care of the connection
            }
            state = State.ONLINE;
            failures = 0;
            everConnected = true;
        }
        fleet.counters().connected.incrementAndGet();
        try {
            client.subscribe(commandPrefix + "#", 1);
        } catch (MqttException e) {
            fleet.counters().error(id + ": subscribe to commands failed: " + e);
        }
        announceOnline();
    }

    /**
     * Publishes the retained online status. After a reconnect of a persistent session Paho first resends the readings
     * that were in flight, which can fill the window: then try again shortly instead of leaving the Will's offline.
     */
    private void announceOnline() {
        if (state != State.ONLINE) {
            return;
        }
        try {
            client.publish(statusTopic, Payloads.status(id, true, fleet.clock().instant()), 1, true);
        } catch (MqttException e) {
            if (e.getReasonCode() == MqttException.REASON_CODE_MAX_INFLIGHT) {
                try {
                    fleet.executor().schedule(this::announceOnline, 100, TimeUnit.MILLISECONDS);
                } catch (RuntimeException stopping) {
                    // fleet stopping
                }
            } else {
                fleet.counters().error(id + ": online status failed: " + e);
            }
        }
    }

    private void connectFailed(Throwable e) {
        fleet.counters().failed.increment();
        fleet.counters().error(id + ": connect to " + fleet.brokerUrl() + " failed: " + e);
        long delay;
        synchronized (lock) {
            if (state != State.CONNECTING) {
                return;
            }
            state = State.DISCONNECTED;
            delay = backoff(++failures);
        }
        LOG.debug("Device {}: connect failed ({}), retry in {} ms", id, e, delay);
        reconnectIn(delay);
    }

    private static long backoff(int failures) {
        long base = Math.min(MAX_BACKOFF_MS, 1000L << Math.min(failures - 1, 5));
        return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    }

    private void reconnectIn(long delayMs) {
        try {
            fleet.executor().schedule(() -> fleet.gate().submit(this::connect), delayMs, TimeUnit.MILLISECONDS);
        } catch (RuntimeException stopping) {
            // the fleet's executor is shut down: nothing to reconnect to
        }
    }

    /** One reading, if online. Never blocks for long: Paho's publish only queues. */
    void tick() {
        if (state != State.ONLINE) {
            return;
        }
        double dropout = settings.dropoutRate();
        if (dropout > 0 && ThreadLocalRandom.current().nextDouble() < perTick(dropout, intervalMs)) {
            drop();
            return;
        }
        synchronized (tickLock) { // an interval change may briefly overlap two tickers
            double value = sensor.next();
            long n = seq.get();
            byte[] payload = Payloads.reading(id, sensor.type(), value, fleet.clock().instant(), n);
            try {
                client.publish(topic, payload, settings.qos(), false, null, published);
                seq.incrementAndGet();
            } catch (MqttException e) {
                if (e.getReasonCode() == MqttException.REASON_CODE_MAX_INFLIGHT
                        || e.getReasonCode() == MqttException.REASON_CODE_CLIENT_NOT_CONNECTED) {
                    fleet.counters().skipped.increment();
                } else {
                    fleet.counters().failed.increment();
                    fleet.counters().error(id + ": publish failed: " + e);
                }
            }
        }
    }

    /** Probability per tick of a drop, from a probability per minute. */
    static double perTick(double perMinute, long intervalMs) {
        return perMinute >= 1 ? 1 : 1 - Math.pow(1 - perMinute, intervalMs / 60_000.0);
    }

    /**
     * Falls off the network now: the TCP connection is reset without DISCONNECT, so the broker publishes the Last
     * Will; the device reconnects after {@code fault.dropout.s}.
     *
     * @return false if the device was not online
     */
    boolean drop() {
        synchronized (lock) {
            if (state != State.ONLINE) {
                return false;
            }
            state = State.DISCONNECTED;
            droppedOnPurpose = true;
        }
        fleet.counters().connected.decrementAndGet();
        fleet.counters().drops.increment();
        if (!sockets.drop()) {
            // no socket to reset (cannot happen while online); treat it as a loss so that the device reconnects
            connectionLost(new IllegalStateException("no socket to drop"));
        }
        LOG.debug("Device {} dropped off the network", id);
        return true;
    }

    @Override
    public void connectionLost(Throwable cause) {
        long delay;
        synchronized (lock) {
            if (state == State.STOPPING || state == State.STOPPED) {
                return;
            }
            if (state == State.ONLINE) {
                fleet.counters().connected.decrementAndGet();
                fleet.counters().error(id + ": connection lost: " + cause);
            }
            state = State.DISCONNECTED;
            if (droppedOnPurpose) {
                droppedOnPurpose = false;
                delay = settings.dropoutS() * 1000L;
            } else {
                delay = backoff(++failures);
            }
        }
        reconnectIn(delay);
    }

    @Override
    public void messageArrived(String topicName, MqttMessage message) {
        if (!topicName.startsWith(commandPrefix)) {
            return;
        }
        fleet.counters().commands.increment();
        String command = topicName.substring(commandPrefix.length());
        String body = new String(message.getPayload(), StandardCharsets.UTF_8).trim();
        switch (command) {
            case "ping" -> respond(command, true, Payloads.string("pong"), null);
            case "interval" -> changeInterval(body);
            case "status" -> respond(command, true, statusJson(), null);
            case "drop" -> {
                if (message.isRetained() || message.isDuplicate()) {
                    respond(command, false, Payloads.string("a retained or redelivered drop is ignored"), null);
                } else {
                    // Drop once the answer is out, so that it reaches the caller and the command is acknowledged.
                    respond(command, true, Payloads.string("dropping for " + settings.dropoutS() + " s"),
                            this::drop);
                }
            }
            default -> respond(command, false, Payloads.string("unknown command '" + Names.printable(command)
                    + "'; use ping, interval, status or drop"), null);
        }
    }

    private void changeInterval(String body) {
        long ms;
        try {
            ms = Math.round(Double.parseDouble(body));
        } catch (NumberFormatException e) {
            ms = -1;
        }
        if (ms < FleetSettings.MIN_INTERVAL_MS || ms > FleetSettings.MAX_INTERVAL_MS) {
            respond("interval", false, Payloads.string("the payload must be a number of milliseconds "
                    + FleetSettings.MIN_INTERVAL_MS + ".." + FleetSettings.MAX_INTERVAL_MS), null);
            return;
        }
        setInterval(ms);
        respond("interval", true, Long.toString(ms), null);
    }

    void setInterval(long ms) {
        synchronized (lock) {
            intervalMs = ms;
            if (ticker != null && state != State.STOPPING && state != State.STOPPED) {
                ticker.cancel(false);
                ticker = fleet.executor().scheduleAtFixedRate(this::tick, ms, ms, TimeUnit.MILLISECONDS);
            }
        }
    }

    private String statusJson() {
        SensorType t = sensor.type();
        return "{\"measurement\":" + Payloads.string(t.id()) + ",\"value\":" + Payloads.number(sensor.last())
                + ",\"unit\":" + Payloads.string(t.unit()) + ",\"seq\":" + seq.get() + ",\"interval_ms\":"
                + intervalMs + ",\"location\":" + Payloads.string(location) + "}";
    }

    private void respond(String command, boolean ok, String resultJson, Runnable afterwards) {
        byte[] payload = Payloads.response(id, Names.printable(command), ok, resultJson);
        try {
            client.publish(responseTopic, payload, 1, false, null, afterwards == null ? null
                    : new IMqttActionListener() {
                        @Override
                        public void onSuccess(IMqttToken token) {
                            afterwards.run();
                        }

                        @Override
                        public void onFailure(IMqttToken token, Throwable e) {
                            afterwards.run();
                        }
                    });
        } catch (MqttException e) {
            fleet.counters().error(id + ": response to " + Names.printable(command) + " failed: " + e);
            if (afterwards != null) {
                afterwards.run();
            }
        }
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
        // counted by the per-publish listener
    }

    /**
     * First step of a clean stop: no more readings; if online, publish the retained status "stopped" (a planned stop
     * of the gateway's own simulator is no device failure: the alerting engine raises no offline alarm for it).
     *
     * @return the token of the offline status, or null when the device was not online
     */
    IMqttDeliveryToken beginStop() {
        State before;
        synchronized (lock) {
            before = state;
            state = State.STOPPING;
            if (ticker != null) {
                ticker.cancel(false);
            }
        }
        if (before != State.ONLINE) {
            return null;
        }
        fleet.counters().connected.decrementAndGet();
        try {
            return client.publish(statusTopic, Payloads.status(id, "stopped", fleet.clock().instant()), 1, true);
        } catch (MqttException e) {
            return null;
        }
    }

    /**
     * Second step: DISCONNECT (so the broker discards the Will) if connected. If the offline status did not get out
     * (in-flight window full, or not acknowledged in time) the connection is reset instead, so that the broker's Last
     * Will still leaves "offline" behind rather than a stale "online".
     *
     * @param offlineAcknowledged whether the offline status of {@link #beginStop()} was acknowledged
     */
    IMqttToken disconnect(boolean offlineAcknowledged) {
        if (!client.isConnected()) {
            return null;
        }
        if (!offlineAcknowledged) {
            sockets.drop();
            return null;
        }
        try {
            return client.disconnect(0);
        } catch (MqttException e) {
            return null;
        }
    }

    /** Last step: release the client; a connection that is still open (a connect that raced the stop) is reset. */
    void close() {
        synchronized (lock) {
            state = State.STOPPED;
        }
        try {
            if (client.isConnected()) {
                client.disconnectForcibly(0, 100);
            }
        } catch (MqttException ignored) {
            // closing anyway
        }
        sockets.drop();
        try {
            client.close(true);
        } catch (MqttException | RuntimeException e) {
            LOG.debug("Device {}: close: {}", id, e.toString());
        }
    }
}
