package io.edgeport.broker.engine.internal.store;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Collection;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.store.MessageStore;
import io.edgeport.api.store.StoreCursor;
import io.edgeport.api.store.StoreStatistics;
import io.edgeport.commons.osgi.DataDirectory;

/**
 * The gateway's {@link MessageStore}: the {@link MessageLog} in {@code <edgeport.data>/messages}, open as long as the
 * engine bundle is active, so consumers keep their cursors while the broker restarts on a new configuration. The
 * engines started in this bundle write into it. Also the Gogo commands {@code edgeport:store} (consumers and their
 * lag) and {@code edgeport:store remove <name>}.
 */
@Component(configurationPid = StoreConfig.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true,
        service = { MessageStore.class, MessageStoreComponent.class },
        property = { "osgi.command.scope=edgeport", "osgi.command.function=store" })
@Designate(ocd = StoreConfig.class)
public final class MessageStoreComponent implements MessageStore {

    private static final Logger LOG = LoggerFactory.getLogger(MessageStoreComponent.class);
    static final long MB = 1024L * 1024;
    static final long HOUR_MS = 3_600_000L;
    /** StoreConfig's defaults, the retention when the first configuration is bad. */
    static final long DEFAULT_SIZE_MB = 1024;
    static final long DEFAULT_AGE_HOURS = 168;

    private final MessageLog log;

    /** The limits in force: [size bytes, age ms]. */
    private long[] limits;
    private final io.edgeport.commons.config.ConfigProblems problems;

    @Activate
    public MessageStoreComponent(BundleContext context, StoreConfig config) throws IOException {
        Path dir = DataDirectory.of(context.getProperty(DataDirectory.PROPERTY)).resolve("messages");
        problems = new io.edgeport.commons.config.ConfigProblems(context, StoreConfig.PID, MessageStoreComponent.class);
        long[] l;
        try {
            l = limits(config);
        } catch (IllegalArgumentException e) {
            // The spine of the gateway starts in any case: with the default retention until a good value comes.
            l = new long[] { DEFAULT_SIZE_MB * MB, DEFAULT_AGE_HOURS * HOUR_MS };
            problems.rejected(e.getMessage(), "the store runs with the default retention " + DEFAULT_SIZE_MB
                    + " MB / " + DEFAULT_AGE_HOURS + " h");
        }
        this.limits = l;
        this.log = MessageLog.open(dir, false, l[0], l[1], Clock.systemUTC());
        StoreStatistics s = log.statistics();
        LOG.info("Message store {}: {} consumer(s), retention {} MB / {} h", dir, s.consumers().size(),
                l[0] / MB, l[1] / HOUR_MS);
    }

    /** @throws IllegalArgumentException {@code key: reason} */
    static long[] limits(StoreConfig c) {
        if (c.retention_size_mb() < 32) {
            throw new IllegalArgumentException("retention.size.mb: must be at least 32, not " + c.retention_size_mb());
        }
        if (c.retention_age_hours() < 1) {
            throw new IllegalArgumentException("retention.age.hours: must be at least 1, not "
                    + c.retention_age_hours());
        }
        return new long[] { c.retention_size_mb() * MB, c.retention_age_hours() * HOUR_MS };
    }

    /** A changed retention: used when it is valid; otherwise the retention in force stays (the gateway's rule). */
    @Modified
    void modified(StoreConfig config) {
        long[] l;
        try {
            l = limits(config);
        } catch (IllegalArgumentException e) {
            problems.rejected(e.getMessage(), "the retention stays " + limits[0] / MB + " MB / " + limits[1] / HOUR_MS
                    + " h");
            return;
        }
        problems.accepted();
        limits = l;
        log.setRetention(l[0], l[1]);
        LOG.info("Message store retention now {} MB / {} h", l[0] / MB, l[1] / HOUR_MS);
    }

    @Deactivate
    void deactivate() {
        problems.close();
        try {
            log.close();
        } catch (IOException e) {
            LOG.warn("Message store: closing failed: {}", e.toString());
        }
    }

    /** The log the engines of this bundle write into. */
    public MessageLog log() {
        return log;
    }

    @Override
    public StoreCursor open(String name, Collection<String> topicFilters) throws IOException {
        return log.open(name, topicFilters);
    }

    @Override
    public void remove(String name) throws IOException {
        log.remove(name);
    }

    @Override
    public StoreStatistics statistics() {
        return log.statistics();
    }

    /** Gogo {@code edgeport:store}: every consumer, its position and lag. */
    public String store() {
        StoreStatistics s = log.statistics();
        StringBuilder b = new StringBuilder(String.format("Message store %s: end %d, %d stored since start, %d dropped"
                + " for retention%n", log.directory(), s.end(), s.storedMessages(), s.droppedForRetention()));
        b.append(String.format("%-32s %-6s %16s %14s%n", "CONSUMER", "OPEN", "POSITION", "LAG BYTES"));
        for (StoreStatistics.ConsumerPosition c : s.consumers()) {
            b.append(String.format("%-32s %-6s %16d %14d%n", c.name(), c.open() ? "yes" : "no", c.committed(),
                    c.lagBytes()));
        }
        if (s.consumers().isEmpty()) {
            b.append("(no consumer: nothing is kept)\n");
        }
        return b.toString();
    }

    /** Gogo {@code edgeport:store remove <name>}: forgets a consumer that is gone for good. */
    public String store(String action, String name) throws IOException {
        if (!"remove".equals(action)) {
            return "usage: store | store remove <consumer>";
        }
        boolean known = log.positions().containsKey(name);
        log.remove(name);
        return known ? "removed " + name + ": what only it needed may now be deleted" : "no consumer named " + name;
    }
}
