package io.edgeport.broker.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.condition.Condition;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.auth.Authenticator;
import io.edgeport.api.auth.Authorizer;
import io.edgeport.api.broker.BrokerService;
import io.edgeport.api.broker.BrokerStatistics;
import io.edgeport.api.broker.InternalAccess;
import io.edgeport.api.broker.MessageObserver;
import io.edgeport.broker.internal.pipeline.ConnectAdmission;

/**
 * The broker core: runs Moquette with the settings of PID {@value BrokerConfig#PID} (defaults when there is no
 * configuration). A changed configuration is validated first; a bad one is logged and the running broker keeps its
 * last good settings. Authentication and authorization providers and message observers are dynamic: they come and go
 * without a broker restart.
 *
 * <p>At start the client listeners hold CONNECTs until the security providers configured then are in place
 * ({@link StartupAdmission}, {@code security_wait}); then the broker registers the {@link Condition}
 * {@link BrokerService#READY_CONDITION}, which the ready line waits for.
 */
@Component(configurationPid = BrokerConfig.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = BrokerConfig.class)
public final class BrokerComponent implements BrokerService {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerComponent.class);
    /** Framework property naming the gateway's data directory. */
    public static final String DATA_DIR_PROPERTY = "edgeport.data";

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<Authenticator> authenticators;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<Authorizer> authorizers;

    /** Only to see which security providers have a configuration and are active at start. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile ServiceComponentRuntime componentRuntime;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile ConfigurationAdmin configAdmin;

    private final ObserverHub hub = new ObserverHub();
    /** Authentication providers run here, bounded in time (see AuthBridge). */
    private final java.util.concurrent.ExecutorService authExecutor = java.util.concurrent.Executors
            .newCachedThreadPool(r -> {
                Thread t = new Thread(r, "edgeport-auth");
                t.setDaemon(true);
                return t;
            });
    private final Path dataDir;
    private volatile MoquetteEngine engine;

    private final BundleContext context;

    @Activate
    public BrokerComponent(BundleContext context, Map<String, Object> props) throws IOException {
        this.context = context;
        String data = context.getProperty(DATA_DIR_PROPERTY);
        this.dataDir = Path.of(data == null || data.isBlank() ? "data" : data).toAbsolutePath();
        this.version = "edgeport " + context.getBundle().getVersion() + " (moquette " + MoquetteEngine.MOQUETTE + ")";
        Settings settings = Settings.from(ConfigValues.of(props, context::getProperty), dataDir);
        int wait = securityWait(props);
        this.admission = new ConnectAdmission.Gate(wait <= 0);
        this.startup = new StartupAdmission(admission, new SecurityProviders(context, startupSignal(props),
                () -> componentRuntime, () -> configAdmin, this::isBound), Duration.ofSeconds(Math.max(0, wait)),
                System.nanoTime(), this::announceReady);
        this.engine = start(settings);
        if (admission.isOpen()) {
            announceReady();
        } else {
            startup.start();
        }
    }

    private final String version;
    private final ConnectAdmission.Gate admission;
    private final StartupAdmission startup;
    private ServiceRegistration<Condition> ready;
    private boolean deactivated;

    /** security_wait in seconds; read at start only (a bad value: the default, logged). */
    private int securityWait(Map<String, Object> props) {
        try {
            return ConfigValues.of(props, context::getProperty).security__wait();
        } catch (IllegalArgumentException e) {
            LOG.error("{}; using 30 s", e.getMessage());
            return 30;
        }
    }

    /** startup_signal; null when empty or not a valid filter (logged). */
    private String startupSignal(Map<String, Object> props) {
        String signal;
        try {
            signal = ConfigValues.of(props, context::getProperty).startup__signal();
        } catch (IllegalArgumentException e) {
            LOG.error("{}; waiting for the framework only", e.getMessage());
            return null;
        }
        if (signal == null || signal.isBlank()) {
            return null;
        }
        try {
            FrameworkUtil.createFilter(signal.trim());
            return signal.trim();
        } catch (InvalidSyntaxException e) {
            LOG.error("startup_signal '{}' is not a valid service filter ({}); waiting for the framework only", signal,
                    e.getMessage());
            return null;
        }
    }

    /** Whether a provider service object is one the broker's AuthBridge asks. */
    private boolean isBound(Object provider) {
        for (Authenticator a : nonNull(authenticators)) {
            if (a == provider) {
                return true;
            }
        }
        for (Authorizer a : nonNull(authorizers)) {
            if (a == provider) {
                return true;
            }
        }
        return false;
    }

    /** Registers {@link BrokerService#READY_CONDITION}: the broker admits clients. Once; never after deactivation. */
    private synchronized void announceReady() {
        if (deactivated || ready != null) {
            return;
        }
        ready = context.registerService(Condition.class, Condition.INSTANCE,
                FrameworkUtil.asDictionary(Map.of(Condition.CONDITION_ID, BrokerService.READY_CONDITION)));
    }

    @Modified
    void modified(Map<String, Object> props) throws IOException {
        Settings next;
        try {
            next = Settings.from(ConfigValues.of(props, context::getProperty), dataDir);
        } catch (IllegalArgumentException e) {
            LOG.error("{}. The broker keeps running with its previous settings.", e.getMessage());
            return;
        }
        MoquetteEngine current = engine;
        if (current != null && current.settings.equals(next)) {
            return;
        }
        if (current != null) {
            current.close();
        }
        try {
            engine = start(next);
        } catch (IOException | RuntimeException e) {
            LOG.error("Broker could not start with the new settings ({}); restoring the previous ones", e.toString());
            engine = current == null ? null : start(current.settings);
        }
        syncObservers(); // an observer that came while the engine was replaced
    }

    private MoquetteEngine start(Settings s) throws IOException {
        AuthBridge auth = new AuthBridge(() -> nonNull(authenticators), () -> nonNull(authorizers),
                s.allowAnonymous(), authExecutor);
        MoquetteEngine e = MoquetteEngine.start(s, auth, hub, version, admission);
        LOG.info("MQTT broker listening on {} (anonymous {}, persistence {}, message_size_limit {}, "
                + "max_connections {}, max_queued_messages {})", s.listenerUris(),
                s.allowAnonymous() ? "allowed" : "refused", s.persistence() ? s.persistenceLocation() : "off",
                s.messageSizeLimit(), s.maxConnections(), s.maxQueuedMessages());
        return e;
    }

    private static <T> List<T> nonNull(List<T> l) {
        return l == null ? List.of() : l;
    }

    @Deactivate
    void deactivate() {
        startup.close();
        synchronized (this) {
            deactivated = true;
            if (ready != null) {
                try {
                    ready.unregister();
                } catch (IllegalStateException alreadyGone) {
                    // the bundle is stopping
                }
                ready = null;
            }
        }
        MoquetteEngine e = engine;
        engine = null;
        if (e != null) {
            e.close();
        }
        hub.close();
        authExecutor.shutdownNow();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addObserver(MessageObserver observer, Map<String, Object> props) {
        hub.add(observer, props);
        syncObservers();
    }

    void removeObserver(MessageObserver observer) {
        hub.remove(observer);
        syncObservers();
    }

    private void syncObservers() {
        MoquetteEngine e = engine;
        if (e != null) {
            try {
                e.syncObservers();
            } catch (IllegalStateException stopped) {
                // the engine is being replaced; the new one syncs at its start
            }
        }
    }

    private MoquetteEngine running() {
        MoquetteEngine e = engine;
        if (e == null) {
            throw new IllegalStateException("broker is not running");
        }
        return e;
    }

    @Override
    public void publish(String topic, byte[] payload, int qos, boolean retain) {
        running().publish(topic, payload.clone(), qos, retain);
    }

    @Override
    public List<String> listeners() {
        MoquetteEngine e = engine;
        return e == null ? List.of() : e.listeners();
    }

    @Override
    public InternalAccess internalAccess(String name) {
        if (name == null || !InternalAccess.NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("internal client name must match " + InternalAccess.NAME + ": '" + name
                    + "'");
        }
        MoquetteEngine e = engine;
        int port = e == null ? -1 : e.internalPort();
        if (port <= 0) {
            throw new IllegalStateException("broker is stopping");
        }
        return new InternalAccess("tcp://127.0.0.1:" + port, InternalAccess.CLIENT_ID_PREFIX + name,
                AuthBridge.INTERNAL_USER, e.auth().internalPassword());
    }

    @Override
    public BrokerStatistics statistics() {
        return running().statistics();
    }
}
