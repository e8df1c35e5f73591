package io.edgeport.broker.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * Decides when the broker starts admitting clients: once its {@link Probe} reports that the start has finished and
 * no security provider configured then is still coming, or once the time limit has passed (then it admits anyway and
 * logs one line naming what is missing). Until then the listeners are open but the engine holds every
 * CONNECT, so a client that connects early waits for its CONNACK instead of being refused.
 *
 * <p>Why wait at all: ConfigAdmin hands configurations to Declarative Services on its own thread, so a password realm
 * configured at start registers its authenticator a moment (up to ~1.3 s measured) after the broker opened its
 * listeners; a valid login in that moment was refused. Why poll: readiness is a combination of framework state,
 * configurations and component states that have no single event; polling every {@value #POLL_MS} ms for the few
 * seconds of a start is simple and cannot miss a change. Nothing runs once clients are admitted.
 *
 * <p>Thread-safe. {@link #poll} is the whole decision and may be called directly (tests).
 */
final class StartupAdmission implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StartupAdmission.class);
    static final long POLL_MS = 20;

    /**
     * What the broker is waiting for.
     *
     * @param startupFinished whether the framework (and launcher) finished starting bundles
     * @param providers security providers configured but not in place yet, for the log
     * @param inPlace security providers configured and in place, for the log
     */
    record Pending(boolean startupFinished, List<String> providers, List<String> inPlace) {
        Pending(boolean startupFinished, List<String> providers) {
            this(startupFinished, providers, List.of());
        }

        boolean ready() {
            return startupFinished && providers.isEmpty();
        }

        String describe() {
            if (!startupFinished) {
                return "the end of the start";
            }
            return String.join(", ", providers);
        }
    }

    /** Reports what is still missing; called on the admission thread, may throw (counts as not ready). */
    @FunctionalInterface
    interface Probe {
        Pending check();
    }

    private final AdmissionGate gate;
    private final Probe probe;
    private final long limitNanos;
    private final long startNanos;
    private final Runnable onOpen;
    private final AtomicBoolean done = new AtomicBoolean();
    private ScheduledExecutorService timer;
    private Pending last;

    /**
     * @param limit the longest CONNECTs are held
     * @param startNanos {@link System#nanoTime()} when the wait began
     * @param onOpen runs once, right after the gate opened (on the thread that opened it)
     */
    StartupAdmission(AdmissionGate gate, Probe probe, Duration limit, long startNanos, Runnable onOpen) {
        this.gate = gate;
        this.probe = probe;
        this.limitNanos = limit.toNanos();
        this.startNanos = startNanos;
        this.onOpen = onOpen;
    }

    /** Polls on a daemon thread of its own until clients are admitted. */
    synchronized void start() {
        if (done.get() || timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "edgeport-broker-admission");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            if (poll(System.nanoTime())) {
                stopTimer();
            }
        }, 0, POLL_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * One check.
     *
     * @param nowNanos the current {@link System#nanoTime()}
     * @return whether clients are admitted now
     */
    boolean poll(long nowNanos) {
        if (done.get()) {
            return true;
        }
        Pending p;
        try {
            p = probe.check();
        } catch (RuntimeException e) {
            LOG.debug("Security provider check failed; trying again", e);
            p = last != null ? last : new Pending(false, List.of());
        }
        if (!p.equals(last) && !p.ready()) {
            LOG.debug("Holding CONNECTs until {}", p.describe());
        }
        last = p;
        boolean timedOut = nowNanos - startNanos >= limitNanos;
        if (!p.ready() && !timedOut) {
            return false;
        }
        if (!done.compareAndSet(false, true)) {
            return true;
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(nowNanos - startNanos);
        if (p.ready()) {
            LOG.info("MQTT clients admitted after {} ms; security providers configured at start: {}", ms,
                    p.inPlace().isEmpty() ? "none" : String.join(", ", p.inPlace()));
        } else {
            LOG.warn("MQTT clients admitted after waiting {} ms for {}: logins only they would accept are refused"
                    + " until they are in place", ms, p.describe());
        }
        gate.open();
        try {
            onOpen.run();
        } catch (RuntimeException e) {
            LOG.warn("Could not announce that the broker admits clients", e);
        }
        return true;
    }

    private synchronized void stopTimer() {
        if (timer != null) {
            timer.shutdown();
        }
    }

    /** Stops waiting without admitting anybody (the broker is going away). */
    @Override
    public void close() {
        done.set(true);
        stopTimer();
    }
}
