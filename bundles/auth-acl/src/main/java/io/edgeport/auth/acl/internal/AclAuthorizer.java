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

    /** What the authorizer answers from; replaced by a good configuration change (another file, another mode). */
    private volatile AclFile file;
    private volatile SubscribeMode subscribeMode;
    private ScheduledExecutorService poller; // created when a reload interval is set
    private java.util.concurrent.ScheduledFuture<?> polling;
    private Settings settings; // SCR calls activate, modified and deactivate one at a time
    private final io.edgeport.commons.config.ConfigProblems problems;
    private final String dataDir;

    /** A validated configuration. */
    record Settings(Path path, long intervalMs, SubscribeMode subscribeMode) {
    }

    /** @throws IllegalArgumentException for a first configuration that cannot be used (SCR reports it) */
    @Activate
    public AclAuthorizer(BundleContext context, AclConfig config) {
        this(context, config, context.getProperty(DATA_DIR_PROPERTY));
    }

    private AclAuthorizer(BundleContext context, AclConfig config, String dataDir) {
        this.dataDir = dataDir;
        this.problems = new io.edgeport.commons.config.ConfigProblems(context, AclConfig.PID + "~"
                + resolve(config.acl__file(), dataDir), AclAuthorizer.class);
        use(settings(config, dataDir));
    }

    AclAuthorizer(Path path, long intervalMs, SubscribeMode subscribeMode) {
        this.dataDir = null;
        this.problems = new io.edgeport.commons.config.ConfigProblems(null, AclConfig.PID, AclAuthorizer.class);
        use(new Settings(path, intervalMs, subscribeMode));
    }

    /** A changed configuration: used when it is valid; otherwise the rules in force stay (the gateway's rule). */
    @org.osgi.service.component.annotations.Modified
    void modified(AclConfig config) {
        Settings s;
        try {
            s = settings(config, dataDir);
        } catch (IllegalArgumentException e) {
            problems.rejected(e.getMessage(), "the ACL of " + file.path() + " stays in force");
            return;
        }
        problems.accepted();
        use(s);
    }

    /** @throws IllegalArgumentException {@code key: reason} */
    static Settings settings(AclConfig config, String dataDir) {
        SubscribeMode mode;
        try {
            mode = SubscribeMode.valueOf(String.valueOf(config.subscribe_mode()).trim().toUpperCase(
                    java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("subscribe.mode: must be MOSQUITTO or FILTER, not '"
                    + config.subscribe_mode() + "'");
        }
        if (config.reload_interval_ms() < 0) {
            throw new IllegalArgumentException("reload.interval.ms: must be 0 (never) or more, not "
                    + config.reload_interval_ms());
        }
        return new Settings(resolve(config.acl__file(), dataDir), config.reload_interval_ms(), mode);
    }

    private void use(Settings s) {
        if (s.equals(settings)) {
            return;
        }
        Settings before = settings;
        if (before == null || !before.path().equals(s.path())) {
            AclFile next = new AclFile(s.path());
            next.refresh();
            file = next;
        }
        subscribeMode = s.subscribeMode();
        if (before == null || before.intervalMs() != s.intervalMs()) {
            if (polling != null) {
                polling.cancel(false);
                polling = null;
            }
            if (s.intervalMs() > 0) {
                if (poller == null) {
                    poller = Executors.newSingleThreadScheduledExecutor(r -> {
                        Thread t = new Thread(r, "edgeport-acl-reload");
                        t.setDaemon(true);
                        return t;
                    });
                }
                polling = poller.scheduleWithFixedDelay(this::refreshQuietly, s.intervalMs(), s.intervalMs(),
                        TimeUnit.MILLISECONDS);
            }
        }
        settings = s;
        LOG.info("ACL authorizer on {} (reload check every {} ms, SUBSCRIBE check {})", s.path(), s.intervalMs(),
                s.subscribeMode());
    }

    @Deactivate
    void deactivate() {
        problems.close();
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
