package io.edgeport.broker.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.auth.Authenticator;
import io.edgeport.api.auth.Authorizer;
import io.edgeport.api.broker.BrokerService;
import io.edgeport.api.broker.BrokerStatistics;
import io.edgeport.api.broker.MessageObserver;
import io.edgeport.broker.engine.EngineFactory;
import io.edgeport.commons.osgi.DataDirectory;

/**
 * The broker core: runs an MQTT engine (the {@link EngineFactory} service of the engine bundle, a static mandatory
 * reference: without it there is no broker) with the settings of PID {@value BrokerConfig#PID} (defaults when there is
 * no configuration). A changed configuration is validated first; a bad one is logged and the running broker keeps its
 * last good settings. Authentication and authorization providers and message observers are dynamic: they come and go
 * without a broker restart.
 *
 * <p>At start the client listeners hold CONNECTs until the security providers configured then are in place
 * ({@link AdmissionControl}, {@code security_wait}); then the broker registers the condition
 * {@link BrokerService#READY_CONDITION}, which the ready line waits for.
 */
@Component(configurationPid = BrokerConfig.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
public final class BrokerComponent implements BrokerService {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerComponent.class);
    /** Framework property naming the gateway's data directory. */
    public static final String DATA_DIR_PROPERTY = DataDirectory.PROPERTY;

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

    /** Only for $SYS/broker/store/...: the engine writes into the store itself. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile io.edgeport.api.store.MessageStore messageStore;

    private final ObserverHub hub = new ObserverHub();
    /** Authentication providers run here, bounded in time (see AuthBridge). */
    private final java.util.concurrent.ExecutorService authExecutor = java.util.concurrent.Executors
            .newCachedThreadPool(r -> {
                Thread t = new Thread(r, "edgeport-auth");
                t.setDaemon(true);
                return t;
            });
    private final Path dataDir;
    /** The current run (engine and $SYS); replaced on a configuration change, null once deactivated. */
    private volatile BrokerRun run;

    private final BundleContext context;
    private final EngineFactory engines;
    /** A configuration change that was not used (the gateway's one rule: log once, health check, keep going). */
    private final io.edgeport.commons.config.ConfigProblems problems;

    @Activate
    public BrokerComponent(BundleContext context, Map<String, Object> props,
                           @Reference(name = "engine") EngineFactory engines)
            throws IOException {
        this.context = context;
        this.engines = engines;
        this.problems = new io.edgeport.commons.config.ConfigProblems(context, BrokerConfig.PID,
                BrokerComponent.class);
        String data = context.getProperty(DATA_DIR_PROPERTY);
        this.dataDir = DataDirectory.of(data);
        this.version = "edgeport " + context.getBundle().getVersion() + " (" + engines.implementation() + ")";
        this.file = readFile(context.getProperty(MosquittoFile.PROPERTY));
        props = own(props);
        Settings settings = Settings.from(ConfigValues.of(props, this::property), dataDir);
        this.admission = new AdmissionControl(context, ConfigValues.of(props, this::property),
                () -> componentRuntime, () -> configAdmin, this::isBound);
        this.run = start(settings);
        admission.start();
        this.inventory = registerInventory();
        this.health = context.registerService(org.apache.felix.hc.api.HealthCheck.class,
                new ListenerHealthCheck(() -> run), healthProperties());
        this.form = registerForm();
        java.util.Hashtable<String, Object> certProps = new java.util.Hashtable<>();
        certProps.put(org.apache.felix.hc.api.HealthCheck.NAME, CertificateHealthCheck.NAME);
        certProps.put(org.apache.felix.hc.api.HealthCheck.TAGS, new String[] { "broker-core", "edgeport" });
        this.certificates = context.registerService(org.apache.felix.hc.api.HealthCheck.class,
                new CertificateHealthCheck(() -> run, java.time.Clock.systemUTC()), certProps);
    }

    /** The mosquitto.conf the gateway was started with ({@value MosquittoFile#PROPERTY}), or null. */
    private final MosquittoFile file;

    /**
     * @throws IOException naming {@code file:line} when the file cannot be used: the broker does not start on a
     *         configuration it would only half honour
     */
    private static MosquittoFile readFile(String path) throws IOException {
        if (path == null || path.isBlank()) {
            return null;
        }
        try {
            MosquittoFile f = MosquittoFile.read(Path.of(path.strip()));
            LOG.info("Broker settings from {}: {}", f.path(), f.values().keySet());
            f.notes().forEach(n -> {
                if (n.contains(" not supported")) {
                    LOG.warn("{}", n);
                } else {
                    LOG.info("{}", n);
                }
            });
            return f;
        } catch (io.edgeport.commons.mosquitto.MosquittoConf.Invalid e) {
            // The gateway refuses to start (exit status 78, EX_CONFIG): systemd shows the line, nothing half-runs.
            LOG.error("{} (the gateway stops: fix the file)", e.getMessage());
            Thread exit = new Thread(() -> System.exit(78), "edgeport-invalid-config");
            exit.start();
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * A broker setting's value below the console's: the command line ({@code -Dedgeport.broker.<key>}), else the
     * mosquitto.conf, else null.
     */
    private String property(String name) {
        String v = context.getProperty(name);
        if (v != null || file == null || !name.startsWith(ConfigValues.PREFIX)) {
            return v;
        }
        MosquittoFile.Value fv = file.values().get(name.substring(ConfigValues.PREFIX.length()));
        return fv == null ? null : fv.text();
    }

    /** @return {@code file:line} of a key the mosquitto.conf sets (and the command line does not), else null */
    private String fileWhere(String key) {
        if (file == null || context.getProperty(ConfigValues.PREFIX + key) != null) {
            return null;
        }
        MosquittoFile.Value fv = file.values().get(key);
        return fv == null ? null : fv.line().where();
    }

    /** The TLS certificates' health check. */
    private final org.osgi.framework.ServiceRegistration<?> certificates;

    /** The configuration's own values: the settings' keys, without those equal to the command line or default. */
    private volatile Map<String, Object> configProps = Map.of();

    /**
     * @return {@code props} without the values that only repeat the command line or the default; those are dropped
     *         from the stored configuration too (see {@link ConfigSources})
     */
    private Map<String, Object> own(Map<String, Object> props) {
        java.util.Set<String> redundant = new java.util.TreeSet<>(ConfigSources.redundant(props, this::property));
        for (String k : props.keySet()) {
            String where = fileWhere(k);
            if (where != null && !redundant.contains(k)) { // the file wins: a console edit of its keys is dropped
                LOG.warn("{}: {} is set in {}; the file wins, edit it there", BrokerConfig.PID, k, where);
                redundant.add(k);
            }
        }
        Map<String, Object> own = ConfigSources.without(props, redundant);
        Map<String, Object> keys = new java.util.TreeMap<>();
        own.forEach((k, v) -> {
            if (ConfigSources.KEYS.containsKey(k) && v != null) {
                keys.put(k, v);
            }
        });
        configProps = Map.copyOf(keys);
        if (!redundant.isEmpty()) {
            java.util.concurrent.CompletableFuture.runAsync(() -> dropFromConfiguration(redundant));
        }
        return own;
    }

    private void dropFromConfiguration(java.util.Set<String> keys) {
        try {
            org.osgi.framework.ServiceReference<ConfigurationAdmin> ref = context
                    .getServiceReference(ConfigurationAdmin.class);
            ConfigurationAdmin ca = ref == null ? null : context.getService(ref);
            if (ca == null) {
                return;
            }
            try {
                org.osgi.service.cm.Configuration[] cs = ca.listConfigurations(
                        "(" + org.osgi.framework.Constants.SERVICE_PID + "=" + BrokerConfig.PID + ")");
                if (cs == null || cs[0].getProperties() == null) {
                    return;
                }
                java.util.Dictionary<String, Object> p = cs[0].getProperties();
                keys.forEach(p::remove);
                if (cs[0].updateIfDifferent(p)) {
                    LOG.info("Broker configuration: {} only repeated the command line or the default and are no"
                            + " longer stored (changes there now apply)", keys);
                }
            } finally {
                context.ungetService(ref);
            }
        } catch (IOException | org.osgi.framework.InvalidSyntaxException | IllegalStateException e) {
            LOG.debug("Broker configuration not tidied: {}", e.toString());
        }
    }

    /** The console's form for PID io.edgeport.broker, showing running values (Metatype is optional). */
    private final org.osgi.framework.ServiceRegistration<?> form;

    private org.osgi.framework.ServiceRegistration<?> registerForm() {
        try {
            java.net.URL xml = context.getBundle().getEntry(BrokerForm.RESOURCE);
            if (xml == null) {
                LOG.warn("No {} in the broker bundle: the console shows no broker form", BrokerForm.RESOURCE);
                return null;
            }
            java.util.Hashtable<String, Object> p = new java.util.Hashtable<>();
            p.put("metatype.pid", BrokerConfig.PID);
            return context.registerService("org.osgi.service.metatype.MetaTypeProvider",
                    new BrokerForm(xml, () -> configProps, this::property, this::fileWhere), p);
        } catch (NoClassDefFoundError | IOException | RuntimeException e) {
            LOG.debug("No broker form in the console ({})", e.toString());
            return null;
        }
    }

    /** The listener health check (registered here: it reads this component's current run). */
    private final org.osgi.framework.ServiceRegistration<?> health;

    private static java.util.Hashtable<String, Object> healthProperties() {
        java.util.Hashtable<String, Object> p = new java.util.Hashtable<>();
        p.put(org.apache.felix.hc.api.HealthCheck.NAME, ListenerHealthCheck.NAME);
        p.put(org.apache.felix.hc.api.HealthCheck.TAGS, new String[] { "broker-core", "edgeport" });
        return p;
    }

    /** The Status page's printer, when the Felix Inventory API is wired (its import is optional). */
    private final org.osgi.framework.ServiceRegistration<?> inventory;

    private org.osgi.framework.ServiceRegistration<?> registerInventory() {
        try {
            java.util.Hashtable<String, Object> p = new java.util.Hashtable<>();
            p.put("felix.inventory.printer.name", BrokerInventory.NAME);
            p.put("felix.inventory.printer.title", BrokerInventory.TITLE);
            p.put("felix.inventory.printer.format", new String[] { "TEXT" });
            return context.registerService("org.apache.felix.inventory.InventoryPrinter",
                    new BrokerInventory(() -> run), p);
        } catch (NoClassDefFoundError | RuntimeException e) {
            LOG.debug("No Felix Inventory: the broker's figures are on $SYS only ({})", e.toString());
            return null;
        }
    }

    private final String version;
    private final AdmissionControl admission;

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

    @Modified
    void modified(Map<String, Object> props) throws IOException {
        props = own(props);
        Settings next;
        try {
            next = Settings.from(ConfigValues.of(props, this::property), dataDir);
        } catch (IllegalArgumentException e) {
            problems.rejected(e.getMessage().replaceFirst("^Invalid broker configuration: ", ""),
                    "the broker keeps running with its previous settings");
            return;
        }
        problems.accepted();
        BrokerRun current = run;
        if (current != null && current.settings.equals(next)) {
            return;
        }
        if (current != null) {
            current.close();
        }
        try {
            run = start(next);
        } catch (IOException | RuntimeException e) {
            LOG.error("Broker could not start with the new settings ({}); restoring the previous ones", e.toString());
            run = current == null ? null : start(current.settings);
        }
        syncObservers(); // an observer that came while the engine was replaced
    }

    private BrokerRun start(Settings s) throws IOException {
        AuthBridge auth = new AuthBridge(() -> nonNull(authenticators), () -> nonNull(authorizers),
                s.allowAnonymous(), authExecutor);
        BrokerRun e = BrokerRun.start(engines, s, auth, hub, version, admission.admitted());
        e.storeStatistics(() -> {
            io.edgeport.api.store.MessageStore m = messageStore;
            return m == null ? null : m.statistics();
        });
        admission.attach(e.engine());
        LOG.info("MQTT broker listening on {} (anonymous {}, persistence {}, message_size_limit {}, "
                + "max_connections {}, max_queued_messages {})", e.listeners(),
                s.allowAnonymous() ? "allowed" : "refused", s.persistence() ? s.persistenceLocation() : "off",
                s.messageSizeLimit(), s.maxConnections(), s.maxQueuedMessages());
        return e;
    }

    private static <T> List<T> nonNull(List<T> l) {
        return l == null ? List.of() : l;
    }

    @Deactivate
    void deactivate() {
        problems.close();
        for (org.osgi.framework.ServiceRegistration<?> r : java.util.Arrays.asList(health, form, certificates)) {
            try {
                if (r != null) {
                    r.unregister();
                }
            } catch (IllegalStateException gone) {
                // unregistered with the bundle already
            }
        }
        if (inventory != null) {
            try {
                inventory.unregister();
            } catch (IllegalStateException gone) {
                // unregistered with the bundle already
            }
        }
        admission.close();
        admission.attach(null);
        BrokerRun e = run;
        run = null;
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
        BrokerRun e = run;
        if (e != null) {
            e.syncObservers(); // no effect on a closed engine: the new one syncs at its start
        }
    }

    private BrokerRun running() {
        BrokerRun e = run;
        if (e == null) {
            throw new IllegalStateException("broker is not running");
        }
        return e;
    }

    @Override
    public void publish(String topic, byte[] payload, int qos, boolean retain) {
        running().publish(topic, payload, qos, retain); // the engine copies the payload
    }

    @Override
    public void publish(String topic, byte[] payload, int qos, boolean retain, String origin) {
        if (origin == null || !origin.startsWith("$") || origin.length() > 128) {
            throw new IllegalArgumentException("origin must start with '$' and have at most 128 characters: "
                    + origin);
        }
        running().publish(topic, payload, qos, retain, origin);
    }

    @Override
    public List<String> listeners() {
        BrokerRun e = run;
        return e == null ? List.of() : e.listeners();
    }

    @Override
    public List<io.edgeport.api.broker.ConnectedClient> clients() {
        BrokerRun e = run;
        if (e == null) {
            return List.of();
        }
        return e.engine().connectedClients().stream()
                .map(c -> new io.edgeport.api.broker.ConnectedClient(c.clientId(), String.valueOf(c.address()),
                        c.port()))
                .sorted(java.util.Comparator.comparing(io.edgeport.api.broker.ConnectedClient::clientId)).toList();
    }

    @Override
    public List<io.edgeport.api.broker.RetainedMessage> retained(String topicFilter, int limit) {
        if (topicFilter == null || !io.edgeport.broker.engine.Topics.isValidFilter(topicFilter)) {
            throw new IllegalArgumentException("'" + topicFilter + "' is not an MQTT topic filter");
        }
        BrokerRun e = run;
        if (e == null) {
            return List.of();
        }
        // A filter starting with a wildcard does not match topics starting with '$' (MQTT-4.7.2-1): $SYS is asked for.
        boolean dollar = !(topicFilter.startsWith("#") || topicFilter.startsWith("+"));
        return e.engine().retained(topicFilter, Integer.MAX_VALUE).stream()
                .filter(r -> dollar || !r.topic().startsWith("$")).limit(Math.max(0, limit))
                .map(r -> new io.edgeport.api.broker.RetainedMessage(r.topic(), r.qos(), r.payload())).toList();
    }

    @Override
    public boolean disconnect(String clientId) {
        BrokerRun e = run;
        return e != null && clientId != null && e.engine().disconnect(clientId);
    }

    @Override
    public List<io.edgeport.api.broker.ClientSession> sessions(String clientIdPrefix, int limit) {
        BrokerRun e = run;
        if (e == null) {
            return List.of();
        }
        return e.engine().sessions(clientIdPrefix == null ? "" : clientIdPrefix, limit).stream()
                .map(SessionView::new).map(io.edgeport.api.broker.ClientSession.class::cast).toList();
    }

    @Override
    public boolean deleteSession(String clientId) {
        BrokerRun e = run;
        return e != null && clientId != null && e.engine().deleteSession(clientId);
    }

    @Override
    public long queuedMessages() {
        BrokerRun e = run;
        return e == null ? -1 : e.engine().queuedMessages();
    }

    /** The engine's view of a session, as the API shows it. */
    private record SessionView(io.edgeport.broker.engine.SessionInfo info)
            implements io.edgeport.api.broker.ClientSession {
        @Override
        public String clientId() {
            return info.clientId();
        }

        @Override
        public boolean connected() {
            return info.connected();
        }

        @Override
        public boolean persistent() {
            return info.persistent();
        }

        @Override
        public List<Subscription> subscriptions() {
            return info.subscriptions().stream().map(s -> new Subscription(s.topicFilter(), s.qos())).toList();
        }

        @Override
        public long queued() {
            return info.queued();
        }

        @Override
        public int inflight() {
            return info.inflight();
        }
    }

    @Override
    public BrokerStatistics statistics() {
        return running().statistics();
    }
}
