package io.edgeport.broker.internal;

import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.condition.Condition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.broker.BrokerService;
import io.edgeport.broker.engine.Engine;

/**
 * The start-up admission of one broker component: the {@link AdmissionGate} that lets its engines admit CONNECTs, the
 * wait for the configured security providers ({@link StartupAdmission} with {@link SecurityProviders}), and the
 * {@link Condition} {@link BrokerService#READY_CONDITION} registered once clients are admitted (the ready line waits
 * for it). {@code security_wait} and {@code startup_signal} are read once, at activation: they are about this start.
 *
 * <p>Thread-safe: {@link #close()} may run while the admission thread opens the gate.
 */
final class AdmissionControl implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdmissionControl.class);

    private final BundleContext context;
    private final AdmissionGate gate;
    private final StartupAdmission startup;
    private ServiceRegistration<Condition> ready;
    private boolean closed;

    /**
     * @param config the broker configuration the component was activated with
     * @param boundByBroker whether a provider service object is one the broker's AuthBridge asks
     */
    AdmissionControl(BundleContext context, BrokerConfig config, Supplier<ServiceComponentRuntime> scr,
                     Supplier<ConfigurationAdmin> configAdmin, Predicate<Object> boundByBroker) {
        this.context = context;
        int wait = securityWait(config);
        this.gate = new AdmissionGate(wait <= 0);
        this.startup = new StartupAdmission(gate, new SecurityProviders(context, startupSignal(config), scr,
                configAdmin, boundByBroker), Duration.ofSeconds(Math.max(0, wait)), System.nanoTime(),
                this::announceReady);
    }

    /** @return whether clients are admitted now: what the next engine is started with */
    boolean admitted() {
        return gate.isOpen();
    }

    /** The engine now running (null: none); it is told to admit clients once they are (see {@link AdmissionGate}). */
    void attach(Engine engine) {
        gate.attach(engine);
    }

    /** Call once the listeners are open: waits (on its own thread) or, with {@code security_wait=0}, admits now. */
    void start() {
        if (gate.isOpen()) {
            announceReady();
        } else {
            startup.start();
        }
    }

    private synchronized void announceReady() {
        if (closed || ready != null) {
            return;
        }
        ready = context.registerService(Condition.class, Condition.INSTANCE,
                FrameworkUtil.asDictionary(Map.of(Condition.CONDITION_ID, BrokerService.READY_CONDITION)));
    }

    @Override
    public void close() {
        startup.close();
        synchronized (this) {
            closed = true;
            if (ready != null) {
                try {
                    ready.unregister();
                } catch (IllegalStateException alreadyGone) {
                    // the bundle is stopping
                }
                ready = null;
            }
        }
    }

    private static int securityWait(BrokerConfig config) {
        try {
            return config.security__wait();
        } catch (IllegalArgumentException e) {
            LOG.error("{}; waiting at most 30 s", e.getMessage());
            return 30;
        }
    }

    /** @return the filter, or null when empty or invalid (logged) */
    private static String startupSignal(BrokerConfig config) {
        String signal;
        try {
            signal = config.startup__signal();
        } catch (IllegalArgumentException e) {
            LOG.error("{}; waiting for the framework only", e.getMessage());
            return null;
        }
        if (signal == null || signal.isBlank()) {
            return null;
        }
        try {
            FrameworkUtil.createFilter(signal.trim());
            return signal.trim();
        } catch (InvalidSyntaxException e) {
            LOG.error("startup_signal '{}' is not a valid service filter ({}); waiting for the framework only", signal,
                    e.getMessage());
            return null;
        }
    }
}
