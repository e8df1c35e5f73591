package io.edgeport.broker.internal;

import org.slf4j.LoggerFactory;

import io.edgeport.broker.engine.Engine;

/**
 * Whether the broker admits clients yet, for every engine a broker component runs: an engine started while the gate
 * is closed holds CONNECTs ({@code EngineSettings.admitClients(false)}) and is let go by {@link #open()}; one started
 * after it opened admits at once. The gate outlives the engines, which a configuration change replaces.
 *
 * <p>Thread-safe: the admission thread may open it while the component attaches a new engine.
 */
final class AdmissionGate {

    private boolean open;
    private Engine engine;

    /** @param open true: admit at once */
    AdmissionGate(boolean open) {
        this.open = open;
    }

    synchronized boolean isOpen() {
        return open;
    }

    /** Admits clients from now on, on the engine attached now and on every later one. Idempotent. */
    synchronized void open() {
        if (!open) {
            open = true;
            admit(engine);
        }
    }

    /**
     * The engine now running (null: none). Attach every engine right after it started: if the gate opened since its
     * settings were made, it is let go here.
     */
    synchronized void attach(Engine e) {
        engine = e;
        if (open) {
            admit(e);
        }
    }

    private static void admit(Engine e) {
        if (e == null) {
            return;
        }
        try {
            e.admitClients();
        } catch (RuntimeException ex) {
            LoggerFactory.getLogger(AdmissionGate.class).warn("Could not admit clients on the engine", ex);
        }
    }
}
