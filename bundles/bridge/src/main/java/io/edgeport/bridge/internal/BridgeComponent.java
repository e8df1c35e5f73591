package io.edgeport.bridge.internal;

import java.util.Map;

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
import io.edgeport.commons.bridge.BridgeSettings;

/**
 * One bridge per factory configuration {@code io.edgeport.bridge}. The broker and its message store are dynamic
 * references: while the broker restarts the bridge keeps its upstream connection, waits, and continues at its
 * committed position. An invalid configuration says why, once in the log as
 * {@code io.edgeport.bridge~NAME: key: reason (...)} and as a WARN health check (the gateway's one rule, commons
 * ConfigProblems): a running bridge goes on with its previous settings; one that never had good settings does not
 * start, and its health check {@code Bridge NAME} is CRITICAL and {@code bridge:list} says why. The properties
 * are read by {@link BridgeSettings} (Mosquitto's key names, {@link BridgeConfig} describes them for the console).
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
    /** The bridge keys {@link #bridge} runs with. */
    private Map<String, Object> running = Map.of();
    private String name;
    private volatile String problem;
    private ServiceRegistration<?> health;
    private final io.edgeport.commons.config.ConfigProblems problems;

    @Activate
    public BridgeComponent(BundleContext context, Map<String, Object> properties) {
        this.context = context;
        Object connection = properties.get("connection");
        this.problems = new io.edgeport.commons.config.ConfigProblems(context, PID + "~"
                + (connection == null ? "" : connection.toString().strip()), BridgeComponent.class);
        apply(properties);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        apply(properties);
    }

    @Deactivate
    void deactivate() {
        problems.close();
        stop();
    }

    /**
     * (Re)starts the bridge on {@code properties}, unless it runs and none of its settings changed: a change of
     * other properties (the {@link BridgeSettings#SOURCE} line of a bridge from the mosquitto.conf moves when lines
     * are added above it) does not drop its upstream connection.
     */
    private synchronized void apply(Map<String, Object> properties) {
        Map<String, Object> keys = BridgeSettings.keysOf(properties);
        if (bridge != null && keys.equals(running)) {
            return;
        }
        BridgeSettings next;
        Bridge started;
        Object connection = properties.get("connection");
        String named = connection == null || connection.toString().isBlank() ? "(unnamed)" : connection.toString();
        Object source = properties.get(BridgeSettings.SOURCE);
        String from = source == null || source.toString().isBlank() ? "" : "; from " + source;
        try {
            next = BridgeSettings.from(properties, hostName());
        } catch (Exception e) {
            if (bridge != null) { // the gateway's rule: keep serving with the last good settings
                problems.rejected(e.getMessage(), "bridge " + name + " goes on with its previous settings" + from);
                return;
            }
            stop();
            name = named;
            problem = e.getMessage();
            problems.rejected(problem, "bridge " + name + " not started" + from);
            registerHealth();
            return;
        }
        stop();
        name = named;
        try {
            started = new Bridge(next, () -> store, this::publishLocally);
        } catch (Exception e) {
            problem = e.getMessage();
            problems.rejected(problem, "bridge " + name + " not started" + from);
            registerHealth();
            return;
        }
        problems.accepted();
        problem = null;
        bridge = started;
        running = keys;
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
