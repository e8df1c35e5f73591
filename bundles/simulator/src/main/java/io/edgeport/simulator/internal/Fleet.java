package io.edgeport.simulator.internal;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running devices of one fleet, their shared threads ({@link FleetExecutor}) and counters.
 *
 * <p>{@link #start()} creates the devices and spreads their connects over {@code start.jitter.ms} (at most
 * {@value #CONNECTS_AT_ONCE} connects in flight). {@link #stop(long)} is a clean stop: every online device publishes
 * its retained offline status and disconnects, all in parallel, bounded by the given time; a device whose offline
 * status did not get acknowledged in time resets its connection instead, so its Last Will says offline. Then the
 * threads go.
 * Thread-safe; start and stop are called once each.
 */
final class Fleet {

    static final int CONNECTS_AT_ONCE = 64;
    private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);

    private final FleetSettings settings;
    private final Function<String, AtomicLong> sequences;
    private final Clock clock;
    private final FleetCounters counters = new FleetCounters();
    private final ConnectGate gate = new ConnectGate(CONNECTS_AT_ONCE);
    private final List<Device> devices = new ArrayList<>();
    private volatile FleetExecutor executor;
    private volatile String brokerUrl;
    private volatile String state = "created";

    /**
     * @param brokerUrl the Paho URI to connect to ({@code tcp://host:port})
     * @param sequences the sequence counter per device id
     */
    Fleet(FleetSettings settings, String brokerUrl, Function<String, AtomicLong> sequences, Clock clock) {
        this.settings = settings;
        this.brokerUrl = brokerUrl;
        this.sequences = sequences;
        this.clock = clock;
    }

    FleetSettings settings() {
        return settings;
    }

    FleetCounters counters() {
        return counters;
    }

    FleetExecutor executor() {
        return executor;
    }

    ConnectGate gate() {
        return gate;
    }

    Clock clock() {
        return clock;
    }

    String brokerUrl() {
        return brokerUrl;
    }

    /** Devices use the new URL from their next (re)connect on. */
    void brokerUrl(String url) {
        this.brokerUrl = url;
    }

    /** For tests and the shell: the device with this id, or null. */
    Device device(String id) {
        synchronized (devices) {
            return devices.stream().filter(d -> d.id.equals(id)).findFirst().orElse(null);
        }
    }

    List<Device> devices() {
        synchronized (devices) {
            return List.copyOf(devices);
        }
    }

    /** @throws MqttException when Paho refuses a client (a bad URL or client id; the settings prevent both) */
    void start() throws MqttException {
        executor = new FleetExecutor(settings.name(), 2);
        synchronized (devices) {
            for (int i = 0; i < settings.devices(); i++) {
                devices.add(new Device(this, i, brokerUrl, sequences.apply(settings.deviceId(i))));
            }
            for (Device d : devices) {
                long jitter = settings.startJitterMs() == 0 ? 0
                        : ThreadLocalRandom.current().nextLong(settings.startJitterMs() + 1);
                d.start(jitter);
            }
        }
        executor.scheduleAtFixedRate(() -> LOG.info("Simulator {}", stats().summary()), 60, 60, TimeUnit.SECONDS);
        state = "running";
    }

    /** Clean stop, bounded by {@code timeoutMs} for the offline statuses and again for the DISCONNECTs. */
    void stop(long timeoutMs) {
        state = "stopping";
        List<Device> all = devices();
        Map<Device, IMqttToken> offline = new HashMap<>();
        for (Device d : all) {
            IMqttToken t = d.beginStop();
            if (t != null) {
                offline.put(d, t);
            }
        }
        int announced = awaitAll(offline.values(), timeoutMs);
        List<IMqttToken> disconnects = new ArrayList<>();
        for (Device d : all) {
            IMqttToken o = offline.get(d);
            IMqttToken t = d.disconnect(o != null && o.isComplete() && o.getException() == null);
            if (t != null) {
                disconnects.add(t);
            }
        }
        awaitAll(disconnects, timeoutMs);
        for (Device d : all) {
            d.close();
        }
        FleetExecutor e = executor;
        if (e != null) {
            e.shutdownNow();
        }
        state = "stopped";
        LOG.debug("Simulator fleet {} stopped: {} of {} online devices announced offline", settings.name(),
                announced, offline.size());
    }

    /** @return how many tokens completed without error in time */
    private static int awaitAll(Iterable<IMqttToken> tokens, long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        int ok = 0;
        for (IMqttToken t : tokens) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            try {
                t.waitForCompletion(Math.max(1, left));
                if (t.isComplete() && t.getException() == null) {
                    ok++;
                }
            } catch (MqttException e) {
                // counted as not completed
            }
        }
        return ok;
    }

    FleetStats stats() {
        return new FleetStats(settings.name(), state, brokerUrl, settings.devices(), counters.connected.get(),
                counters.published.sum(), counters.failed.sum(), counters.skipped.sum(), counters.reconnects.sum(),
                counters.drops.sum(), counters.commands.sum(), counters.lastError());
    }
}
