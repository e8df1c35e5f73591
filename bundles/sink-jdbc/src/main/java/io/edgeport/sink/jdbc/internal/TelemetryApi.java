package io.edgeport.sink.jdbc.internal;

import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON endpoints of the console page, without servlet types: {@code devices.json}, {@code readings.json} and
 * {@code stats.json} (row counts and the sink's position in the message store, without a table scan: for monitoring).
 * Stateless; thread-safe.
 *
 * <p>Answers 400 with {@code {"error": ...}} for bad parameters (including an unknown or ambiguous {@code sink}), 404
 * for another path, 503 when no JDBC sink is configured and 500 when the database fails (logged).
 */
final class TelemetryApi {

    static final String DEFAULT_SINK = "default";
    private static final Logger LOG = LoggerFactory.getLogger(TelemetryApi.class);

    /** A status and a JSON body. */
    record Response(int status, String json) {
    }

    private TelemetryApi() {
    }

    /**
     * @param path the request path; only its last segment counts
     * @param parameters the request's parameters (a missing one is null)
     */
    static Response handle(List<JdbcTelemetrySink> sinks, String path, Function<String, String> parameters) {
        String file = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
        if (!file.equals("devices.json") && !file.equals("readings.json") && !file.equals("stats.json")) {
            return new Response(404, Json.error("no such resource; use devices.json, readings.json or stats.json"));
        }
        JdbcTelemetrySink sink;
        try {
            sink = pick(sinks, parameters.apply("sink"));
        } catch (IllegalStateException e) {
            return new Response(503, Json.error(e.getMessage()));
        } catch (IllegalArgumentException e) {
            return new Response(400, Json.error(e.getMessage()));
        }
        try {
            if (file.equals("devices.json")) {
                return new Response(200, devices(sink.queries().devices()));
            }
            if (file.equals("stats.json")) {
                TelemetryQueries.Stats st = sink.queries().stats();
                StringBuilder b = new StringBuilder("{");
                Json.field(b, "sink", sink.name()).append(',');
                Json.field(b, "rows", st.rows()).append(',');
                Json.field(b, "rejected", st.rejected()).append(',');
                Json.field(b, "position", st.position()).append('}');
                return new Response(200, b.toString());
            }
            ReadingQuery q;
            try {
                q = ReadingQuery.parse(parameters.apply("device"), parameters.apply("from"), parameters.apply("to"),
                        parameters.apply("limit"));
            } catch (IllegalArgumentException e) {
                return new Response(400, Json.error(e.getMessage()));
            }
            return new Response(200, readings(sink.queries().readings(q)));
        } catch (SQLException e) {
            LOG.warn("Telemetry query on sink '{}' failed", sink.name(), e);
            return new Response(500, Json.error("database error: " + e.getMessage()));
        }
    }

    /**
     * The sink named {@code name}; without a name the one named {@value #DEFAULT_SINK}, or the only one.
     *
     * @throws IllegalStateException when there is no sink at all
     * @throws IllegalArgumentException when the name is unknown or the choice is ambiguous
     */
    static JdbcTelemetrySink pick(List<JdbcTelemetrySink> sinks, String name) {
        List<JdbcTelemetrySink> all = sorted(sinks);
        if (all.isEmpty()) {
            throw new IllegalStateException("no JDBC sink is configured (factory PID " + JdbcSinkConfig.PID + ")");
        }
        String wanted = name == null || name.isEmpty() ? DEFAULT_SINK : name;
        for (JdbcTelemetrySink s : all) {
            if (s.name().equals(wanted)) {
                return s;
            }
        }
        if ((name == null || name.isEmpty()) && all.size() == 1) {
            return all.get(0);
        }
        String names = all.stream().map(JdbcTelemetrySink::name).toList().toString();
        throw new IllegalArgumentException(name == null || name.isEmpty()
                ? "several sinks exist; choose one with sink=NAME from " + names
                : "no sink '" + name + "'; sinks: " + names);
    }

    static List<JdbcTelemetrySink> sorted(List<JdbcTelemetrySink> sinks) {
        return sinks.stream().sorted(Comparator.comparing(JdbcTelemetrySink::name)).toList();
    }

    static String devices(List<DeviceSummary> devices) {
        StringBuilder b = new StringBuilder("[");
        for (DeviceSummary d : devices) {
            b.append(b.length() > 1 ? ",{" : "{");
            Json.field(b, "device_id", d.deviceId()).append(',');
            Json.field(b, "measurement", d.measurement()).append(',');
            Json.field(b, "location", d.location()).append(',');
            Json.field(b, "value", d.value()).append(',');
            Json.field(b, "unit", d.unit()).append(',');
            Json.field(b, "ts", d.ts()).append(',');
            Json.seq(b, d.seq()).append(',');
            Json.field(b, "count", d.count()).append('}');
        }
        return b.append(']').toString();
    }

    static String readings(List<StoredReading> readings) {
        StringBuilder b = new StringBuilder("[");
        for (StoredReading r : readings) {
            b.append(b.length() > 1 ? ",{" : "{");
            Json.field(b, "device_id", r.deviceId()).append(',');
            Json.field(b, "measurement", r.measurement()).append(',');
            Json.field(b, "location", r.location()).append(',');
            Json.field(b, "value", r.value()).append(',');
            Json.field(b, "unit", r.unit()).append(',');
            Json.field(b, "ts", r.ts()).append(',');
            Json.seq(b, r.seq()).append(',');
            Json.field(b, "topic", r.topic()).append(',');
            Json.field(b, "stored_at", r.storedAt()).append('}');
        }
        return b.append(']').toString();
    }
}
