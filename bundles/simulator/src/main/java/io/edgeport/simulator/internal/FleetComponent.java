package io.edgeport.simulator.internal;

import java.time.Clock;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.broker.BrokerService;

/**
 * One fleet per factory configuration (PID {@value FleetConfig#PID}).
 *
 * <p>With {@code broker.url} set the fleet starts at once; otherwise it starts when a {@link BrokerService} with an
 * {@code mqtt://} listener is bound (optional, dynamic, greedy: a better broker takes over). A broker that goes away
 * does not stop the fleet: its devices lose their connections and reconnect with back-off, to the new broker's
 * address if one appears.
 *
 * <p>A bad configuration value is logged once at ERROR, naming every bad key; the fleet then stays stopped and shows
 * as invalid in {@code edgeport:fleets}, and other fleets are not affected. (The component stays active on purpose,
 * so that the shell shows why the fleet does not run.) Never logs the password, and is not an OSGi service so that
 * the password does not become a service property; the shell finds fleets through {@link FleetDirectory}.
 */
@Component(configurationPid = FleetConfig.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = FleetConfig.class, factory = true)
public final class FleetComponent implements FleetView {

    /** Time for all offline statuses, and again for all DISCONNECTs, when a fleet stops. */
    static final long STOP_TIMEOUT_MS = 5_000;
    private static final Logger LOG = LoggerFactory.getLogger(FleetComponent.class);

    // Replaced by a good configuration change (modified); read by the shell: volatile.
    private volatile String label;
    private volatile FleetSettings settings; // null while no configuration was good
    private volatile String problem;
    private final Sequences sequences;
    private final FleetDirectory directory;
    private final io.edgeport.commons.config.ConfigProblems problems;
    private final Object lock = new Object();
    private Fleet fleet; // guarded by lock
    private BrokerService broker; // guarded by lock
    private boolean stopped; // guarded by lock

    @Activate
    public FleetComponent(org.osgi.framework.BundleContext context, FleetConfig config,
            Map<String, Object> properties, @Reference(name = "sequences") Sequences sequences,
            @Reference(name = "directory") FleetDirectory directory) {
        this.sequences = sequences;
        this.directory = directory;
        this.problems = new io.edgeport.commons.config.ConfigProblems(context, String.valueOf(properties.get(
                "service.pid")), FleetComponent.class);
        FleetSettings s = null;
        String p = null;
        try {
            s = FleetSettings.from(config);
        } catch (IllegalArgumentException e) {
            p = e.getMessage();
        }
        this.settings = s;
        this.problem = p;
        this.label = s != null ? s.name() : nameOf(config) + " (" + properties.get("service.pid") + ")";
        directory.add(this);
        if (s == null) {
            problems.rejected(p, "fleet " + label + " not started");
            return;
        }
        LOG.info("Simulator fleet {}: {}", label, s);
        if (!s.brokerUrl().isEmpty()) {
            synchronized (lock) {
                startFleet(s.brokerUrl());
            }
        }
    }

    /** Without a framework (tests): problems are only logged. */
    FleetComponent(FleetConfig config, Map<String, Object> properties, Sequences sequences,
            FleetDirectory directory) {
        this(null, config, properties, sequences, directory);
    }

    /**
     * A changed configuration (the gateway's rule): a bad one leaves the fleet as it was; a good one that differs
     * stops the fleet (its devices say "stopped") and starts it again with the new settings.
     */
    @org.osgi.service.component.annotations.Modified
    void modified(FleetConfig config) {
        FleetSettings next;
        try {
            next = FleetSettings.from(config);
        } catch (IllegalArgumentException e) {
            if (settings != null) {
                problems.rejected(e.getMessage(), "fleet " + label + " goes on with its previous settings");
            } else {
                problem = e.getMessage();
                problems.rejected(e.getMessage(), "fleet " + label + " not started");
            }
            return;
        }
        problems.accepted();
        if (next.equals(settings)) {
            return;
        }
        Fleet old;
        synchronized (lock) {
            old = fleet;
            fleet = null;
        }
        if (old != null) {
            old.stop(STOP_TIMEOUT_MS);
        }
        synchronized (lock) {
            settings = next;
            problem = null;
            label = next.name();
            LOG.info("Simulator fleet {}: {}", label, next);
            if (stopped) {
                return;
            }
            if (!next.brokerUrl().isEmpty()) {
                startFleet(next.brokerUrl());
            } else if (broker != null) {
                useBroker(broker);
            }
        }
    }

    private static String nameOf(FleetConfig config) {
        try {
            return Names.printable(config.name());
        } catch (RuntimeException e) {
            return "?";
        }
    }

    @Reference(name = "broker", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindBroker(BrokerService b) {
        synchronized (lock) {
            broker = b;
            useBroker(b);
        }
    }

    void unbindBroker(BrokerService b) {
        synchronized (lock) {
            if (broker == b) {
                broker = null;
            }
        }
    }

    /** Called with the lock held. */
    private void useBroker(BrokerService b) {
        if (settings == null || stopped || !settings.brokerUrl().isEmpty()) {
            return;
        }
        String url;
        try {
            url = BrokerUrls.firstMqttListener(b.listeners());
        } catch (RuntimeException e) {
            LOG.warn("Simulator fleet {}: cannot read the broker's listeners", label, e);
            return;
        }
        if (url == null) {
            LOG.warn("Simulator fleet {}: the broker has no mqtt:// listener; waiting for one", label);
        } else if (fleet == null) {
            startFleet(url);
        } else if (!url.equals(fleet.brokerUrl())) {
            LOG.info("Simulator fleet {}: broker moved to {}; devices use it from their next connect", label, url);
            fleet.brokerUrl(url);
        }
    }

    /** Called with the lock held. */
    private void startFleet(String url) {
        Fleet f = new Fleet(settings, url, sequences::of, Clock.systemUTC());
        try {
            f.start();
            fleet = f;
            LOG.debug("Simulator fleet {} started against {}", label, url);
        } catch (Exception e) {
            LOG.error("Simulator fleet {} could not start against {}", label, url, e);
            f.stop(0);
        }
    }

    @Deactivate
    void deactivate() {
        problems.close();
        directory.remove(this);
        Fleet f;
        synchronized (lock) {
            stopped = true;
            f = fleet;
            fleet = null;
        }
        if (f != null) {
            f.stop(STOP_TIMEOUT_MS);
        }
        LOG.debug("Simulator fleet {} deactivated", label);
    }

    @Override
    public FleetStats stats() {
        Fleet f;
        synchronized (lock) {
            f = fleet;
        }
        if (f != null) {
            return f.stats();
        }
        if (settings == null) {
            return new FleetStats(label, "invalid configuration", "", 0, 0, 0, 0, 0, 0, 0, 0, problem);
        }
        return new FleetStats(label, stopped ? "stopped" : "waiting for a broker", settings.brokerUrl(),
                settings.devices(), 0, 0, 0, 0, 0, 0, 0, "");
    }

    /** For tests. */
    Fleet fleet() {
        synchronized (lock) {
            return fleet;
        }
    }
}
