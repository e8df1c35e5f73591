package io.edgeport.alerting.internal;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
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

import io.edgeport.api.alerting.Alarm;
import io.edgeport.api.alerting.AlarmNotifier;
import io.edgeport.api.alerting.AlarmService;
import io.edgeport.api.store.MessageStore;
import io.edgeport.api.telemetry.Readings;
import io.edgeport.commons.osgi.DataDirectory;

/**
 * The alerting engine as a service: {@link AlarmService}. Readings, device status and MQTT acknowledgements come from
 * the broker's message store at the engine's own position ({@link AlertingInput}; readings decoded by the telemetry
 * pipeline's {@link Readings} service): what is published while this bundle is stopped or updated waits in the store,
 * and the position moves only after the transitions a batch caused are stored. Stale rules are checked every
 * {@code tick.ms}. Every {@link AlarmNotifier} gets a {@link NotifierDispatcher}.
 *
 * <p>Rules come from {@link RuleComponent}s, which reference this component.
 */
@Component(configurationPid = EngineConfig.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true,
        service = { AlarmService.class, AlertingComponent.class })
@Designate(ocd = EngineConfig.class)
public final class AlertingComponent implements AlarmService {

    private static final Logger LOG = LoggerFactory.getLogger(AlertingComponent.class);
    /** A notifier name: 1-64 characters of A-Z a-z 0-9 . _ - (it names the notifier's durable position). */
    static final java.util.regex.Pattern NOTIFIER_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final AlarmEngine engine;
    private final AlarmStore alarmStore;
    private final AlertingInput input;
    private final ScheduledExecutorService ticker;
    private final Map<Long, NotifierDispatcher> dispatchers = new TreeMap<>();
    private volatile MessageStore messageStore;
    private volatile Readings readings;
    private final io.edgeport.commons.config.ConfigProblems problems;

    @Activate
    public AlertingComponent(BundleContext context, EngineConfig config) throws SQLException {
        String url = config.db_url() == null || config.db_url().isBlank()
                ? defaultUrl(context.getProperty(DataDirectory.PROPERTY)) : config.db_url().trim();
        this.problems = new io.edgeport.commons.config.ConfigProblems(context, EngineConfig.PID,
                AlertingComponent.class);
        List<String> bad = new ArrayList<>();
        String statusFilter = filter(config.status_topic(), "status.topic", "status/+/health", bad);
        String ackFilter = config.ack_topic() == null || config.ack_topic().isBlank() ? ""
                : filter(config.ack_topic(), "ack.topic", "alerts/ack/+", bad);
        if (!bad.isEmpty()) { // the engine restarts on every change, so the defaults are the last good settings
            problems.rejected(String.join("; ", bad), "the alerting engine uses the default for "
                    + (bad.size() == 1 ? "it" : "them"));
        }
        long tick = Math.max(100, Math.min(60_000, config.tick_ms()));
        AlarmStore store = AlarmStore.open(url);
        this.alarmStore = store;
        this.engine = new AlarmEngine(store, Clock.systemUTC());
        this.engine.onEvents(this::offerAll);
        this.input = new AlertingInput(() -> messageStore, () -> readings, statusFilter, ackFilter, engine);
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "edgeport-alerting-tick");
            t.setDaemon(true);
            return t;
        });
        LOG.info("Alerting engine: database {}, {} raised alarms, status {}, acknowledgements {}, stale check every"
                + " {} ms", store.url(), engine.active().size(), statusFilter, ackFilter.isEmpty() ? "off" : ackFilter,
                tick);
        input.start();
        ticker.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
    }

    /** {@code jdbc:h2:file:<absolute data dir>/alerting}. */
    static String defaultUrl(String dataDir) {
        Path data = DataDirectory.of(dataDir);
        // WRITE_DELAY=0: H2 otherwise writes a commit up to 500 ms later, and a kill -9 loses raised alarms and
        // notifier positions it already acted on; REUSE_SPACE=FALSE: see the JDBC sink's Dialect (H2 may open an
        // older version after a kill when commits went into reused space); DB_CLOSE_ON_EXIT=FALSE: H2's own shutdown
        // hook closed it under the running engine at SIGTERM; the component closes it when it stops.
        return "jdbc:h2:file:" + data.resolve("alerting")
                + ";WRITE_DELAY=0;REUSE_SPACE=FALSE;DB_CLOSE_ON_EXIT=FALSE";
    }

    private static String filter(String value, String key, String dflt, List<String> bad) {
        String f = value == null ? "" : value.trim();
        if (f.isEmpty()) {
            return dflt;
        }
        if (!io.edgeport.commons.mqtt.TopicFilters.valid(f)) {
            bad.add(key + ": '" + f + "' is not an MQTT topic filter (default " + dflt + ")");
            return dflt;
        }
        return f;
    }

    private void tick() {
        try {
            engine.tick();
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Alerting: stale check failed: {}", e.toString());
        }
    }

    @Deactivate
    void deactivate() {
        problems.close();
        ticker.shutdownNow();
        input.close();
        List<NotifierDispatcher> all;
        synchronized (dispatchers) {
            all = new ArrayList<>(dispatchers.values());
            dispatchers.clear();
        }
        all.forEach(NotifierDispatcher::close);
        engine.close();
        LOG.debug("Alerting engine stopped");
    }

    AlarmEngine engine() {
        return engine;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setMessageStore(MessageStore s) {
        messageStore = s;
    }

    void unsetMessageStore(MessageStore s) {
        if (messageStore == s) {
            messageStore = null;
        }
    }

    /** The telemetry pipeline's decoding: without it the engine still reads status and acknowledgements. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setReadings(Readings r) {
        readings = r;
    }

    void unsetReadings(Readings r) {
        if (readings == r) {
            readings = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addNotifier(AlarmNotifier notifier, Map<String, Object> props) {
        Long id = (Long) props.get(Constants.SERVICE_ID);
        Object n = props.get(AlarmNotifier.NAME);
        String name = n == null ? null : n.toString().trim();
        if (name != null && !NOTIFIER_NAME.matcher(name).matches()) {
            LOG.error("Alarm notifier service {} ignored: {} must be 1-64 characters of A-Z a-z 0-9 . _ -", id,
                    AlarmNotifier.NAME);
            return;
        }
        long retry = 60_000;
        Object r = props.get(AlarmNotifier.RETRY_MAX_MS);
        if (r != null) {
            try {
                retry = r instanceof Number num ? num.longValue() : Long.parseLong(r.toString().trim());
            } catch (NumberFormatException e) {
                LOG.warn("Alarm notifier service {}: {} '{}' is not a number; using 60000", id,
                        AlarmNotifier.RETRY_MAX_MS, r);
            }
        }
        synchronized (dispatchers) {
            if (name != null && dispatchers.values().stream().anyMatch(d -> d.label().equals(name))) {
                LOG.error("Alarm notifier service {} ignored: another notifier is named '{}'", id, name);
                return;
            }
            try {
                String label = name != null ? name : notifier.getClass().getSimpleName() + "#" + id;
                NotifierDispatcher d = new NotifierDispatcher(name, label, notifier, engine.store(), retry).start();
                dispatchers.put(id, d);
                LOG.info("Alarm notifier {} registered ({}, from event {})", label,
                        name != null ? "durable" : "live only", d.position());
            } catch (SQLException e) {
                LOG.error("Alarm notifier service {} not started: the alarm database failed: {}", id, e.getMessage());
            }
        }
    }

    void removeNotifier(AlarmNotifier notifier, Map<String, Object> props) {
        Long id = (Long) props.get(Constants.SERVICE_ID);
        NotifierDispatcher d;
        synchronized (dispatchers) {
            d = dispatchers.remove(id);
        }
        if (d != null) {
            d.close();
            LOG.info("Alarm notifier {} removed at event {}", d.label(), d.position());
        }
    }

    private void offerAll(List<StoredEvent> events) {
        synchronized (dispatchers) {
            dispatchers.values().forEach(d -> d.offer(events));
        }
    }

    /** For the console and the shell: notifier label → delivered, failures, position, last error. */
    List<String> notifierSummaries() {
        synchronized (dispatchers) {
            return dispatchers.values().stream().map(d -> d.label() + ": " + d.delivered.get() + " delivered, "
                    + d.failures.get() + " failures, at event " + d.position()
                    + (d.lastError.isEmpty() ? "" : ", last error " + d.lastError)).toList();
        }
    }

    /** @return null when the alarm database answers, else why not */
    String databaseProblem() {
        return alarmStore.problem();
    }

    boolean inputConnected() {
        return input.connected();
    }

    long inputLagBytes() {
        return input.lagBytes();
    }

    // ------------------------------------------------------------ AlarmService

    @Override
    public List<Alarm> active() {
        return engine.active();
    }

    @Override
    public List<Alarm> history(int limit) {
        return engine.history(limit);
    }

    @Override
    public Optional<Alarm> find(String id) {
        return engine.find(id);
    }

    @Override
    public Optional<Alarm> clear(String id, String by) {
        return engine.clear(id, by);
    }

    @Override
    public Optional<Alarm> acknowledge(String id, String by) {
        return engine.acknowledge(id, by);
    }
}
