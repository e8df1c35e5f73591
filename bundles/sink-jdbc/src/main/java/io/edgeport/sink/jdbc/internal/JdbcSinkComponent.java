package io.edgeport.sink.jdbc.internal;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.telemetry.TelemetrySink;

/**
 * One JDBC sink per factory configuration (PID {@value JdbcSinkConfig#PID}).
 *
 * <p>An immediate component without a DS service: it registers the {@link TelemetrySink} itself so that the service
 * properties ({@link TelemetrySink#NAME}, batch size, flush interval, retry back-off, topics) are computed from the
 * validated configuration, and so that an invalid configuration leaves no service at all. An invalid value is logged
 * once at error level, naming the key; a later valid update registers the sink. Every other update unregisters the
 * old service (the pipeline stops calling it), closes its connection and registers a new one. The database is not
 * contacted here: the first {@code store} connects, and a database that is down makes {@code store} fail and the
 * pipeline retry.
 */
@Component(configurationPid = JdbcSinkConfig.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {},
        immediate = true)
@Designate(ocd = JdbcSinkConfig.class, factory = true)
public final class JdbcSinkComponent {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcSinkComponent.class);

    private final BundleContext context;
    private SinkSettings settings; // SCR calls activate, modified and deactivate one at a time
    private JdbcTelemetrySink sink;
    private ServiceRegistration<?> registration;
    private ServiceRegistration<?> health;
    private final io.edgeport.commons.config.ConfigProblems problems;

    @Activate
    public JdbcSinkComponent(BundleContext context, JdbcSinkConfig config) {
        this.context = context;
        this.problems = new io.edgeport.commons.config.ConfigProblems(context, JdbcSinkConfig.PID + "~"
                + config.name(), JdbcSinkComponent.class);
        apply(config);
    }

    @Modified
    void modified(JdbcSinkConfig config) {
        apply(config);
    }

    @Deactivate
    void deactivate() {
        problems.close();
        unregister();
        LOG.debug("JDBC sink stopped");
    }

    private void apply(JdbcSinkConfig config) {
        SinkSettings next;
        try {
            next = SinkSettings.from(config, context.getProperty(SinkSettings.DATA_DIR_PROPERTY));
        } catch (IllegalArgumentException e) {
            if (registration != null) { // the gateway's rule: keep serving with the last good settings
                problems.rejected(e.getMessage(), "the sink goes on with its previous settings");
                return;
            }
            unregister();
            settings = null;
            problems.rejected(e.getMessage(), "no sink registered");
            health = registerHealth(config.name(), JdbcHealthCheck.invalid(e.getMessage()));
            return;
        }
        problems.accepted();
        if (next.equals(settings) && registration != null) {
            return;
        }
        unregister();
        settings = next;
        JdbcStore store = new JdbcStore(next);
        sink = new JdbcTelemetrySink(store);
        registration = context.registerService(
                new String[] { TelemetrySink.class.getName(), JdbcTelemetrySink.class.getName() }, sink,
                next.serviceProperties());
        health = registerHealth(next.name(), JdbcHealthCheck.of(store));
        LOG.info("JDBC telemetry {}", next);
    }

    private ServiceRegistration<?> registerHealth(String name, JdbcHealthCheck check) {
        java.util.Hashtable<String, Object> p = new java.util.Hashtable<>();
        p.put(org.apache.felix.hc.api.HealthCheck.NAME, "JDBC sink " + name);
        p.put(org.apache.felix.hc.api.HealthCheck.TAGS, new String[] { "telemetry", "sink", "edgeport" });
        return context.registerService(org.apache.felix.hc.api.HealthCheck.class, check, p);
    }

    private void unregister() {
        if (health != null) {
            try {
                health.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
            health = null;
        }
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
            registration = null;
        }
        if (sink != null) {
            sink.close();
            sink = null;
        }
    }
}
