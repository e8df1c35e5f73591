package io.edgeport.telemetry.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.osgi.framework.Constants;
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

import io.edgeport.api.store.MessageStore;
import io.edgeport.api.store.StoredMessage;
import io.edgeport.api.telemetry.Reading;
import io.edgeport.api.telemetry.Readings;
import io.edgeport.api.telemetry.TelemetrySink;
import io.edgeport.commons.mqtt.TopicFilters;
import io.edgeport.commons.mqtt.TopicTemplate;

/**
 * The sink whiteboard: one {@link SinkChannel} (a position in the message store) per registered
 * {@link TelemetrySink}, keyed by the sink's name. Sinks and the store may come and go in any order; a channel
 * without a store retries, a sink that goes away leaves its messages in the store. Also the {@link Readings} service
 * (the configured decoding, for the alerting engine) and the Gogo command {@code edgeport:sinks}.
 */
@Component(configurationPid = TelemetryPipeline.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        immediate = true, service = { TelemetryPipeline.class, Readings.class },
        property = { "osgi.command.scope=edgeport", "osgi.command.function=sinks" })
@Designate(ocd = PipelineConfig.class)
public final class TelemetryPipeline implements Readings {

    /** A sink name: it becomes the store consumer {@code sink-<name>}. */
    static final java.util.regex.Pattern SINK_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,58}");

    private static final Logger LOG = LoggerFactory.getLogger(TelemetryPipeline.class);

    /** A sink service as bound, with what its properties say. */
    private record Bound(TelemetrySink sink, SinkChannel.Options options) {
    }

    private final Map<Long, Bound> sinks = new TreeMap<>();
    /** The open channel of each sink name, with the service id of the sink it serves. */
    private record Open(Long owner, SinkChannel channel) {
    }

    private final Map<String, Open> channels = new TreeMap<>();
    private final RejectLog rejectLog = new RejectLog();
    private volatile MessageStore store;
    private volatile ReadingDecoder decoder;
    private volatile List<String> topics = List.of("sensors/#");
    private volatile int sinkNice = 10;
    private volatile long lagWarnBytes = 64L << 20;
    private boolean active;

    static final String PID = "io.edgeport.telemetry";
    private final io.edgeport.commons.config.ConfigProblems problems;

    @Activate
    public TelemetryPipeline(org.osgi.framework.BundleContext context, PipelineConfig config) {
        problems = new io.edgeport.commons.config.ConfigProblems(context, PID, TelemetryPipeline.class);
        apply(config);
    }

    @Activate
    synchronized void activate() {
        active = true;
        sinks.forEach((id, b) -> open(id, b));
    }

    @Modified
    synchronized void modified(PipelineConfig config) {
        List<String> before = topics;
        apply(config);
        if (!before.equals(topics)) {
            // New filters: reconnect every channel that uses the pipeline's filters.
            List<Long> ids = new ArrayList<>(sinks.keySet());
            for (Long id : ids) {
                Bound b = sinks.get(id);
                Open o = channels.get(b.options().name());
                if (o != null && o.owner().equals(id) && o.channel().options().filters().equals(before)) {
                    closeChannel(b.options().name());
                    Bound nb = new Bound(b.sink(), withFilters(b.options(), topics));
                    sinks.put(id, nb);
                    open(id, nb);
                }
            }
        }
    }

    /** Keeps the last good configuration when the new one is invalid (ConfigProblems: the gateway's one rule). */
    private void apply(PipelineConfig config) {
        try {
            List<String> t = filters(config.topics(), "topics");
            ReadingDecoder d;
            try {
                d = new ReadingDecoder(TopicTemplate.parseAll(config.templates()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("templates: " + e.getMessage(), e);
            }
            topics = t;
            decoder = d;
            sinkNice = Math.max(0, Math.min(19, config.sink_nice()));
            lagWarnBytes = Math.max(1, config.health_lag_warn_mb()) * 1048576L;
            problems.accepted();
        } catch (IllegalArgumentException e) {
            if (decoder == null) {
                decoder = new ReadingDecoder(TopicTemplate.parseAll(ReadingDecoder.DEFAULT_TEMPLATES));
            }
            problems.rejected(e.getMessage(), "keeping topics " + topics + " and templates " + decoder.templates());
        }
    }

    static List<String> filters(String[] values, String key) {
        List<String> out = new ArrayList<>();
        if (values != null) {
            for (String v : values) {
                String f = v == null ? "" : v.trim();
                if (f.isEmpty()) {
                    continue;
                }
                if (!TopicFilters.valid(f)) {
                    throw new IllegalArgumentException(key + ": '" + f + "' is not an MQTT topic filter");
                }
                out.add(f);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(key + ": must name at least one topic filter");
        }
        return List.copyOf(out);
    }

    @Deactivate
    synchronized void deactivate() {
        problems.close();
        active = false;
        new ArrayList<>(channels.keySet()).forEach(this::closeChannel);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setStore(MessageStore s) {
        store = s;
    }

    void unsetStore(MessageStore s) {
        if (store == s) {
            store = null;
        }
    }

    @Override
    public List<String> topics() {
        return topics;
    }

    @Override
    public java.util.Optional<Reading> decode(StoredMessage message) {
        return java.util.Optional.ofNullable(decoder.decode(message).reading());
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void addSink(TelemetrySink sink, Map<String, Object> props) {
        Long id = (Long) props.get(Constants.SERVICE_ID);
        SinkChannel.Options o;
        try {
            o = options(props, topics);
        } catch (IllegalArgumentException e) {
            LOG.error("Sink service {} ({}) ignored: {}", id, sink.getClass().getName(), e.getMessage());
            return;
        }
        Bound b = new Bound(sink, o);
        sinks.put(id, b);
        if (active) {
            open(id, b);
        }
    }

    synchronized void removeSink(TelemetrySink sink, Map<String, Object> props) {
        Long id = (Long) props.get(Constants.SERVICE_ID);
        Bound b = sinks.remove(id);
        if (b == null) {
            return;
        }
        Open o = channels.get(b.options().name());
        if (o != null && o.owner().equals(id)) {
            closeChannel(b.options().name());
            // Another sink with the same name that waited may take over the session now.
            sinks.entrySet().stream().filter(e -> e.getValue().options().name().equals(b.options().name()))
                    .findFirst().ifPresent(e -> open(e.getKey(), e.getValue()));
        }
    }

    private void open(Long id, Bound b) {
        String name = b.options().name();
        Open existing = channels.get(name);
        if (existing != null) {
            if (!existing.owner().equals(id)) {
                LOG.error("Sink service {} ignored while another sink named '{}' is registered: two sinks cannot"
                        + " share one position in the message store", id, name);
            }
            return;
        }
        SinkChannel c = new SinkChannel(b.options(), b.sink(), () -> decoder, () -> store, rejectLog).nice(sinkNice);
        channels.put(name, new Open(id, c));
        c.start();
        LOG.info("Sink '{}' registered (batch {} / {} ms, filters {})", name, b.options().batchSize(),
                b.options().flushMs(), b.options().filters());
    }

    private void closeChannel(String name) {
        Open o = channels.remove(name);
        if (o != null) {
            SinkChannel c = o.channel();
            c.close();
            LOG.info("Sink '{}' removed: {} readings stored, {} rejected; what arrives now waits in the store",
                    name, c.stored.get(), c.rejected.get());
        }
    }

    static SinkChannel.Options options(Map<String, Object> props, List<String> defaultTopics) {
        Object n = props.get(TelemetrySink.NAME);
        String name = n == null ? "" : n.toString().trim();
        if (!SINK_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(TelemetrySink.NAME + " must be 1-59 characters of A-Z a-z 0-9 . _ -,"
                    + " not '" + name + "'");
        }
        Object t = props.get(TelemetrySink.TOPICS);
        List<String> filters = t == null ? defaultTopics
                : filters(t instanceof String[] a ? a : t instanceof java.util.Collection<?> col
                        ? col.stream().map(String::valueOf).toArray(String[]::new) : new String[] { t.toString() },
                        TelemetrySink.TOPICS);
        int batch = (int) number(props, TelemetrySink.BATCH_SIZE, 1000, 1, 4096);
        long flush = number(props, TelemetrySink.FLUSH_MS, 50, 0, 60_000);
        long retry = number(props, TelemetrySink.RETRY_MAX_MS, 30_000, 100, 3_600_000);
        return new SinkChannel.Options(name, filters, batch, flush, retry);
    }

    private static SinkChannel.Options withFilters(SinkChannel.Options o, List<String> filters) {
        return new SinkChannel.Options(o.name(), filters, o.batchSize(), o.flushMs(), o.retryMaxMs());
    }

    private static long number(Map<String, Object> props, String key, long dflt, long min, long max) {
        Object v = props.get(key);
        if (v == null) {
            return dflt;
        }
        long n;
        try {
            n = v instanceof Number num ? num.longValue() : Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, not '" + v + "'");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(key + " must be " + min + ".." + max + ", not " + n);
        }
        return n;
    }

    /** One sink as the health check sees it. */
    record SinkState(String name, boolean reading, long lagBytes, long failingSeconds, String lastError) {
    }

    synchronized List<SinkState> sinkStates() {
        List<SinkState> out = new ArrayList<>();
        channels.forEach((name, o) -> out.add(new SinkState(name, o.channel().connected(), o.channel().lagBytes(),
                o.channel().failingSeconds(), o.channel().lastError)));
        return out;
    }

    long lagWarnBytes() {
        return lagWarnBytes;
    }

    /** Gogo: {@code edgeport:sinks} lists every sink with its counters. */
    public synchronized String sinks() {
        StringBuilder sb = new StringBuilder(String.format("%-16s %-8s %12s %12s %9s %8s %12s  %s%n", "SINK",
                "STORE", "RECEIVED", "STORED", "REJECTED", "FAILURES", "LAG BYTES", "LAST ERROR"));
        channels.forEach((name, o) -> sb.append(String.format("%-16s %-8s %12d %12d %9d %8d %12d  %s%n", name,
                o.channel().connected() ? "reading" : "waiting", o.channel().received.get(),
                o.channel().stored.get(), o.channel().rejected.get(), o.channel().failures.get(),
                o.channel().lagBytes(), o.channel().lastError)));
        if (channels.isEmpty()) {
            sb.append("(no sink registered: install a sink bundle, e.g. io.edgeport.sink.jdbc)\n");
        }
        return sb.toString();
    }
}
