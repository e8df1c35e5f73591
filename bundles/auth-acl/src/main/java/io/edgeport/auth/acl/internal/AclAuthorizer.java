package io.edgeport.auth.acl.internal;

import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.auth.AccessRequest;
import io.edgeport.api.auth.Authorizer;
import io.edgeport.api.auth.Decision;
import io.edgeport.commons.osgi.DataDirectory;

/**
 * One {@link Authorizer} per factory configuration {@value AclConfig#PID}: answers from the acl_file's last good
 * model (see the package documentation for the rules and why "not granted" is DENY). Polls the file every
 * {@code reload.interval.ms} on its own daemon thread and swaps in a new model when it parses.
 *
 * <p>{@link #authorize} is lock free and never blocks; it is safe from any number of broker threads.
 */
@Component(configurationPid = AclConfig.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = Authorizer.class)
@Designate(ocd = AclConfig.class, factory = true)
public final class AclAuthorizer implements Authorizer {

    static final String DATA_DIR_PROPERTY = DataDirectory.PROPERTY;
    static final String DATA_DIR_TOKEN = DataDirectory.TOKEN;

    private static final Logger LOG = LoggerFactory.getLogger(AclAuthorizer.class);

    private final AclFile file;
    private final SubscribeMode subscribeMode;
    private final ScheduledExecutorService poller;

    @Activate
    public AclAuthorizer(BundleContext context, AclConfig config) {
        this(resolve(config.acl__file(), context.getProperty(DATA_DIR_PROPERTY)), config.reload_interval_ms(),
                SubscribeMode.valueOf(config.subscribe_mode().trim().toUpperCase(java.util.Locale.ROOT)));
    }

    AclAuthorizer(Path path, long intervalMs, SubscribeMode subscribeMode) {
        this.file = new AclFile(path);
        this.subscribeMode = subscribeMode;
        file.refresh();
        LOG.info("ACL authorizer on {} (reload check every {} ms, SUBSCRIBE check {})", path, intervalMs,
                subscribeMode);
        if (intervalMs > 0) {
            poller = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "edgeport-acl-reload");
                t.setDaemon(true);
                return t;
            });
            poller.scheduleWithFixedDelay(this::refreshQuietly, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        } else {
            poller = null;
        }
    }

    @Deactivate
    void deactivate() {
        if (poller != null) {
            poller.shutdownNow();
        }
    }

    @Override
    public Decision authorize(AccessRequest request) {
        return AclEvaluator.evaluate(file.model(), request.identity(), request.clientId(), request.topic(),
                request.action(), subscribeMode);
    }

    AclFile file() {
        return file;
    }

    private void refreshQuietly() {
        try {
            file.refresh();
        } catch (RuntimeException e) {
            LOG.error("ACL reload of {} failed, keeping the current rules", file.path(), e);
        }
    }

    /** Replaces {@code ${edgeport.data}} by the framework property (default {@code data}). */
    static Path resolve(String configured, String dataDir) {
        return DataDirectory.resolve(configured, DATA_DIR_TOKEN + "/acl", dataDir);
    }
}
