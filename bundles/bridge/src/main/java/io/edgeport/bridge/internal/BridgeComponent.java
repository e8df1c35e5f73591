package io.edgeport.bridge.internal;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.broker.BrokerService;
import io.edgeport.api.store.MessageStore;

/**
 * One bridge per factory configuration {@code io.edgeport.bridge}. The broker and its message store are dynamic
 * references: while the broker restarts the bridge keeps its upstream connection, waits, and continues at its
 * committed position. An invalid configuration keeps no bridge running and says why, once in the log as
 * {@code io.edgeport.bridge: key: reason} and in the health check {@code Bridge NAME} (CRITICAL) and
 * {@code bridge:list}; a configuration that is changed to an invalid one stops the bridge the same way.
 */
@Component(service = BridgeComponent.class, configurationPid = BridgeComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
@Designate(ocd = BridgeConfig.class, factory = true)
public final class BridgeComponent {

    static final String PID = "io.edgeport.bridge";
    private static final Logger LOG = LoggerFactory.getLogger(BridgeComponent.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile BrokerService broker;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile MessageStore store;

    private final BundleContext context;
    private Bridge bridge;
    private String name;
    private volatile String problem;
    private ServiceRegistration<?> health;

    @Activate
    public BridgeComponent(BundleContext context, BridgeConfig config) {
        this.context = context;
        apply(config);
    }

    @Modified
    void modified(BridgeConfig config) {
        apply(config);
    }

    @Deactivate
    void deactivate() {
        stop();
    }

    private synchronized void apply(BridgeConfig config) {
        BridgeSettings next;
        Bridge started;
        stop();
        name = config.connection() == null || config.connection().isBlank() ? "(unnamed)" : config.connection();
        try {
            next = BridgeSettings.from(config, hostName());
            started = new Bridge(next, () -> store, this::publishLocally);
        } catch (Exception e) {
            problem = e.getMessage();
            LOG.error("{}: {} (bridge {} not started)", PID, problem, name);
            registerHealth();
            return;
        }
        problem = null;
        bridge = started;
        bridge.start();
        LOG.info("Bridge {}: {} to {}, {} topic line(s)", next.connection(), next.remoteClientId(),
                String.join(", ", next.uris()), next.topics().size());
        registerHealth();
    }

    private void publishLocally(String topic, byte[] payload, int qos, boolean retain, String origin) {
        BrokerService b = broker;
        if (b == null) {
            throw new IllegalStateException("the local broker is not running");
        }
        b.publish(topic, payload, qos, retain, origin);
    }

    /** @return the running bridge's status, or one that names the configuration problem */
    Bridge.Status status() {
        Bridge b = bridge;
        String p = problem;
        return b != null ? b.status()
                : new Bridge.Status(name, "invalid configuration", "", p == null ? "" : p, 0, 0, -1, -1, 0);
    }

    private void registerHealth() {
        try {
            java.util.Hashtable<String, Object> p = new java.util.Hashtable<>();
            p.put(org.apache.felix.hc.api.HealthCheck.NAME, "Bridge " + name);
            p.put(org.apache.felix.hc.api.HealthCheck.TAGS, new String[] { "bridge", "edgeport" });
            health = context.registerService(org.apache.felix.hc.api.HealthCheck.class.getName(),
                    new BridgeHealthCheck(this::status), p);
        } catch (NoClassDefFoundError e) {
            // no Felix Health Checks installed
        }
    }

    private synchronized void stop() {
        if (health != null) {
            try {
                health.unregister();
            } catch (IllegalStateException e) {
                // gone with the bundle
            }
            health = null;
        }
        if (bridge != null) {
            bridge.close();
            bridge = null;
        }
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "edgeport";
        }
    }
}
