package io.edgeport.sink.jdbc.internal;

import java.util.List;

import io.edgeport.api.telemetry.Reading;
import io.edgeport.api.telemetry.RejectedMessage;
import io.edgeport.api.telemetry.TelemetrySink;

/**
 * The service object of one configured sink: {@link TelemetrySink} for the pipeline and, under its own class name,
 * the queries for this bundle's console page. Registered by {@link JdbcSinkComponent}; calls for the pipeline come
 * from one thread, queries from any.
 */
final class JdbcTelemetrySink implements TelemetrySink {

    private final JdbcStore store;
    private final TelemetryQueries queries;

    JdbcTelemetrySink(JdbcStore store) {
        this.store = store;
        this.queries = new TelemetryQueries(store);
    }

    String name() {
        return store.settings().name();
    }

    /** What the console shows about the sink: never the URL (it may hold a password) or the user. */
    String description() {
        return store.settings().dialect().product() + ", table " + store.settings().table();
    }

    TelemetryQueries queries() {
        return queries;
    }

    @Override
    public void store(List<Reading> batch) throws Exception {
        store.store(batch);
    }

    @Override
    public void storeRejected(List<RejectedMessage> rejected) throws Exception {
        store.storeRejected(rejected);
    }

    void close() {
        store.close();
    }
}
