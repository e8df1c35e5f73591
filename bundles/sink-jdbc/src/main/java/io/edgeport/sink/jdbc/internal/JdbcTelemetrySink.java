package io.edgeport.sink.jdbc.internal;

import java.util.List;

import io.edgeport.api.telemetry.Reading;
import io.edgeport.api.telemetry.RejectedMessage;
import io.edgeport.api.telemetry.TelemetrySink;
import io.edgeport.api.telemetry.TransactionalSink;

/**
 * The service object of one configured sink: a {@link TransactionalSink} for the pipeline (rows and the store
 * position in one transaction: exactly once across crashes) and, under its own class name,
 * the queries for this bundle's console page. Registered by {@link JdbcSinkComponent}; calls for the pipeline come
 * from one thread, queries from any.
 */
final class JdbcTelemetrySink implements TransactionalSink {

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

    /** @return rows deleted: every reading of {@code device} */
    int deleteDevice(String device) throws java.sql.SQLException {
        return store.deleteDevice(device);
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

    @Override
    public long position() throws Exception {
        return store.position();
    }

    @Override
    public void store(List<Reading> readings, List<RejectedMessage> rejected, long position) throws Exception {
        store.store(readings, rejected, position);
    }

    void close() {
        store.close();
    }
}
