package io.edgeport.runtime.internal;

import java.util.concurrent.atomic.AtomicBoolean;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.launch.Framework;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops the OSGi framework when the JVM is asked to exit (SIGTERM, Ctrl-C), and waits for it, so every bundle
 * deactivates and the broker flushes its store. The bnd launcher does not do this when it keeps its storage
 * (FACTS.md). Harmless when the launcher stops the framework too.
 */
@Component(immediate = true)
public final class ShutdownHook {

    private static final Logger LOG = LoggerFactory.getLogger(ShutdownHook.class);
    static final long STOP_TIMEOUT_MS = 30_000;

    private final Thread hook;
    private final AtomicBoolean running = new AtomicBoolean();

    @Activate
    public ShutdownHook(BundleContext context) {
        Framework framework = (Framework) context.getBundle(0);
        this.hook = new Thread(() -> {
            running.set(true);
            try {
                if ((framework.getState() & (Framework.ACTIVE | Framework.STARTING)) != 0) {
                    LOG.info("Stopping the gateway");
                    framework.stop();
                }
                framework.waitForStop(STOP_TIMEOUT_MS);
            } catch (BundleException | InterruptedException | IllegalStateException e) {
                LOG.warn("Gateway did not stop cleanly: {}", e.toString());
            }
        }, "edgeport-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Deactivate
    void deactivate() {
        if (running.get()) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down: the hook is running or about to, nothing to undo.
        }
    }
}
