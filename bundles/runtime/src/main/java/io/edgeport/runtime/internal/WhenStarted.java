package io.edgeport.runtime.internal;

import java.util.concurrent.atomic.AtomicBoolean;

import org.osgi.framework.AllServiceListener;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;

/**
 * Runs an action once, when the bnd launcher has started every bundle: it then registers (or updates) a service with
 * {@value #LAUNCHER_READY}. The ready line waits for it, so that it still means "everything is up" (console, telemetry,
 * alarms) now that MQTT clients are admitted earlier in the start. After the console's in-JVM restart (every bundle
 * refreshed; {@link ConsoleRestart} sets {@value #RESTART_PENDING} and clears it when the refresh has ended) the
 * launcher's service is still there, so the action waits for the end of the refresh instead.
 *
 * <p>Thread-safe; {@link #close()} stops waiting.
 */
final class WhenStarted implements AllServiceListener, FrameworkListener, AutoCloseable {

    static final String LAUNCHER_READY = "(launcher.ready=true)";
    /** System property set while the console's restart refreshes every bundle. */
    static final String RESTART_PENDING = "edgeport.restart.pending";

    private final BundleContext context;
    private final Runnable action;
    private final AtomicBoolean done = new AtomicBoolean();

    private WhenStarted(BundleContext context, Runnable action) {
        this.context = context;
        this.action = action;
    }

    /** Runs {@code action} now if the start is over, else on the event that says it is. */
    static WhenStarted run(BundleContext context, Runnable action) {
        WhenStarted w = new WhenStarted(context, action);
        if (Boolean.getBoolean(RESTART_PENDING)) {
            context.addFrameworkListener(w);
            if (!Boolean.getBoolean(RESTART_PENDING)) {
                w.fire(); // the refresh ended meanwhile (ConsoleRestart clears the property then)
            }
            return w;
        }
        try {
            context.addServiceListener(w, LAUNCHER_READY);
            if (context.getAllServiceReferences(null, LAUNCHER_READY) != null) {
                w.fire();
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e); // a constant
        }
        return w;
    }

    @Override
    public void serviceChanged(ServiceEvent event) {
        if (event.getType() == ServiceEvent.REGISTERED || event.getType() == ServiceEvent.MODIFIED) {
            fire();
        }
    }

    @Override
    public void frameworkEvent(FrameworkEvent event) {
        if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
            fire();
        }
    }

    private void fire() {
        if (done.compareAndSet(false, true)) {
            close();
            action.run();
        }
    }

    @Override
    public void close() {
        done.set(true);
        try {
            context.removeServiceListener(this);
            context.removeFrameworkListener(this);
        } catch (IllegalStateException bundleStopping) {
            // the listener goes with the bundle
        }
    }
}
