package io.edgeport.sink.kafka.internal;

import java.util.Hashtable;

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
 * One Kafka sink per factory configuration {@code io.edgeport.sink.kafka}, registered as a {@link TelemetrySink}
 * for the telemetry pipeline. An invalid configuration says why (one log line and a WARN health check, see
 * ConfigProblems); a running sink goes on with its previous settings, otherwise no sink is registered.
 */
@Component(configurationPid = KafkaSinkConfig.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = {})
@Designate(ocd = KafkaSinkConfig.class, factory = true)
public final class KafkaSinkComponent {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSinkComponent.class);
    private final BundleContext context;
    private KafkaTelemetrySink sink;
    private ServiceRegistration<?> registration;
    private ServiceRegistration<?> health;
    private final io.edgeport.commons.config.ConfigProblems problems;

    @Activate
    public KafkaSinkComponent(BundleContext context, KafkaSinkConfig config) {
        this.context = context;
        this.problems = new io.edgeport.commons.config.ConfigProblems(context, KafkaSinkConfig.PID + "~"
                + config.name(), KafkaSinkComponent.class);
        apply(config);
    }

    @Modified
    synchronized void apply(KafkaSinkConfig config) {
        KafkaSinkSettings s;
        try {
            s = KafkaSinkSettings.from(config);
        } catch (RuntimeException e) {
            if (registration != null) { // the gateway's rule: keep serving with the last good settings
                problems.rejected(e.getMessage(), "the sink goes on with its previous settings");
                return;
            }
            unregister();
            problems.rejected(e.getMessage(), "Kafka sink " + config.name() + " not started");
            registerHealth(config.name(), new KafkaHealthCheck(null, e.getMessage()));
            return;
        }
        unregister();
        try {
            sink = new KafkaTelemetrySink(s);
        } catch (RuntimeException e) {
            problems.rejected(e.getMessage(), "Kafka sink " + config.name() + " not started");
            registerHealth(config.name(), new KafkaHealthCheck(null, e.getMessage()));
            return;
        }
        problems.accepted();
        registration = context.registerService(TelemetrySink.class, sink, s.serviceProperties());
        registerHealth(s.name(), new KafkaHealthCheck(sink, null));
        LOG.info("Kafka telemetry sink '{}': topic {} on {}", s.name(), s.topic(), s.bootstrapServers());
    }

    private void registerHealth(String name, Object check) {
        try {
            Hashtable<String, Object> p = new Hashtable<>();
            p.put(org.apache.felix.hc.api.HealthCheck.NAME, "Kafka sink " + name);
            p.put(org.apache.felix.hc.api.HealthCheck.TAGS, new String[] { "telemetry", "sink", "edgeport" });
            health = context.registerService(org.apache.felix.hc.api.HealthCheck.class.getName(), check, p);
        } catch (NoClassDefFoundError e) {
            // no Felix Health Checks installed
        }
    }

    @Deactivate
    synchronized void deactivate() {
        problems.close();
        unregister();
    }

    private void unregister() {
        for (ServiceRegistration<?> r : new ServiceRegistration<?>[] { registration, health }) {
            if (r != null) {
                try {
                    r.unregister();
                } catch (IllegalStateException e) {
                    // gone with the bundle
                }
            }
        }
        registration = null;
        health = null;
        if (sink != null) {
            sink.close();
            sink = null;
        }
    }
}
