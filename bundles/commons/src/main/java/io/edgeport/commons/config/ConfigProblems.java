package io.edgeport.commons.config;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Objects;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's one rule for a configuration it cannot use: the component keeps serving with its last good settings
 * (or, when it never had any, does not start its service), and says why in one line {@code pid: key: reason}, logged
 * once at ERROR (not again while the same problem stands) and shown in the console as a WARN health check named
 * {@code Configuration <pid>} tagged {@code edgeport} (the dashboard lists these; a feature's summary shows the checks
 * of its bundles) until a good configuration comes. Without Felix Health Checks in the framework only the log line
 * remains. Thread-safe.
 *
 * <p>Usage, in a component's activate and modified methods: validate into a settings object; on
 * {@link IllegalArgumentException} call {@link #rejected}, keep the old settings; on success call {@link #accepted}.
 * Deactivate calls {@link #close}.
 */
public final class ConfigProblems implements AutoCloseable {

    /** Tag of the health check (the console's dashboard shows the checks tagged so). */
    public static final String TAG = "edgeport";

    private final BundleContext context;
    private final String pid;
    private final Logger log;
    private String problem;
    private ServiceRegistration<?> check;

    /**
     * @param context the component's bundle context (the health check is registered with it); null: log only
     * @param pid what the line names: the (factory) PID, and for a factory configuration its name, e.g.
     *        {@code io.edgeport.sink.jdbc~archive}
     * @param owner the component's class, whose logger writes the line
     */
    public ConfigProblems(BundleContext context, String pid, Class<?> owner) {
        this.context = context;
        this.pid = Objects.requireNonNull(pid, "pid");
        this.log = LoggerFactory.getLogger(owner);
    }

    /** @return the line for a problem: {@code pid: key: reason} ({@code key} empty: {@code pid: reason}) */
    public String line(String key, String reason) {
        return key == null || key.isEmpty() ? pid + ": " + reason : pid + ": " + key + ": " + reason;
    }

    /**
     * A configuration was not used.
     *
     * @param problem what {@link IllegalArgumentException#getMessage()} said: {@code key: reason}, as the settings
     *        classes of the bundles word it
     * @param kept what runs instead: "the previous settings stay in force", "not started", ...
     */
    public synchronized void rejected(String problem, String kept) {
        String text = pid + ": " + problem + " (" + kept + ")";
        if (text.equals(this.problem)) {
            return; // said once
        }
        this.problem = text;
        log.error("{}", text);
        show(text);
    }

    /** A configuration was taken into use: the problem shown before (if any) is gone. */
    public synchronized void accepted() {
        if (problem != null) {
            log.info("{}: configuration accepted; the problem reported before is gone", pid);
            problem = null;
        }
        hide();
    }

    /** @return the problem standing now, or null */
    public synchronized String current() {
        return problem;
    }

    @Override
    public synchronized void close() {
        hide();
    }

    private void show(String text) {
        hide();
        if (context == null) {
            return;
        }
        try {
            check = Check.register(context, pid, text);
        } catch (NoClassDefFoundError | RuntimeException e) {
            check = null; // no Felix Health Checks, or the bundle is stopping: the log line is all
        }
    }

    private void hide() {
        if (check != null) {
            try {
                check.unregister();
            } catch (IllegalStateException gone) {
                // unregistered with its bundle already
            }
            check = null;
        }
    }

    /** Touches the Felix HC API; loaded only when a problem is shown. */
    private static final class Check implements org.apache.felix.hc.api.HealthCheck {
        private final String text;

        private Check(String text) {
            this.text = text;
        }

        static ServiceRegistration<?> register(BundleContext context, String pid, String text) {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put(org.apache.felix.hc.api.HealthCheck.NAME, "Configuration " + pid);
            props.put(org.apache.felix.hc.api.HealthCheck.TAGS, new String[] { TAG, "configuration" });
            return context.registerService(org.apache.felix.hc.api.HealthCheck.class, new Check(text), props);
        }

        @Override
        public org.apache.felix.hc.api.Result execute() {
            return new org.apache.felix.hc.api.Result(org.apache.felix.hc.api.Result.Status.WARN, text);
        }
    }
}
