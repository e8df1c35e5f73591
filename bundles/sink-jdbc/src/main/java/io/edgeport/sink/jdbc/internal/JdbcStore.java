package io.edgeport.sink.jdbc.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.telemetry.Reading;
import io.edgeport.api.telemetry.RejectedMessage;

/**
 * Writes readings, dead letters and the sink's position in the message store, one transaction per call.
 *
 * <p>Keeps one connection between calls. The first use of a connection creates the tables and indexes that are
 * missing. On any failure the transaction is rolled back, the connection closed and the exception thrown; the next
 * call connects again. Times are stored with microsecond precision (what PostgreSQL keeps), truncated here so that a
 * redelivered reading compares equal to the stored one in either database.
 *
 * <p>Threading: the write methods are serialised by a lock (the pipeline calls from one thread anyway);
 * {@link #connection()} hands out new connections for readers, which may run at any time.
 */
final class JdbcStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcStore.class);
    private static final long CLOSE_WAIT_SECONDS = 10;

    private final SinkSettings settings;
    private final ReentrantLock lock = new ReentrantLock();
    private final String insertReading;
    private final String insertRejected;
    /** A plain INSERT, tried first where the idempotent statement is slow (H2's MERGE); null where it is not. */
    private final String fastInsertReading;
    private final String upsertPosition;
    private Connection connection; // guarded by lock
    private volatile boolean closed;
    private volatile boolean schemaReady;

    JdbcStore(SinkSettings settings) {
        this.settings = settings;
        this.insertReading = settings.dialect().insertReading(settings.table());
        this.insertRejected = settings.dialect().insertRejected(settings.table());
        this.fastInsertReading = settings.dialect().fastInsertReading(settings.table());
        this.upsertPosition = settings.dialect().upsertPosition(settings.table());
    }

    SinkSettings settings() {
        return settings;
    }

    /**
     * Stores the readings in one transaction; returns when they are committed.
     *
     * @throws SQLException when nothing of the batch is committed
     */
    void store(List<Reading> batch) throws SQLException {
        if (fastInsertReading != null) {
            try {
                insert(fastInsertReading, batch);
                return;
            } catch (SQLException e) {
                if (!uniqueViolation(e)) {
                    throw e;
                }
                // Some readings are stored already (a redelivery): nothing of this batch was committed; store it
                // again with the statement that skips what exists.
                LOG.debug("Sink '{}': batch of {} partly stored before; merging", settings.name(), batch.size());
            }
        }
        insert(insertReading, batch);
    }

    /** SQLState 23505: a unique constraint was violated (the same code in H2 and PostgreSQL). */
    static boolean uniqueViolation(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                for (SQLException n = s; n != null; n = n.getNextException()) {
                    if ("23505".equals(n.getSQLState())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private void insert(String sql, List<Reading> batch) throws SQLException {
        write(c -> rows(c, sql, batch));
    }

    /**
     * Stores readings, dead letters and the sink's position in the message store in one transaction: after a crash
     * the sink continues exactly after what it committed.
     *
     * @throws SQLException when nothing of it is committed
     */
    void store(List<Reading> readings, List<RejectedMessage> rejected, long position) throws SQLException {
        if (fastInsertReading != null) {
            try {
                write(c -> {
                    rows(c, fastInsertReading, readings);
                    rejectedRows(c, rejected);
                    position(c, position);
                });
                return;
            } catch (SQLException e) {
                if (!uniqueViolation(e)) {
                    throw e;
                }
                // a device sent a reading twice (a QoS 1 resend): store the batch with the statement that skips it
                LOG.debug("Sink '{}': batch of {} repeats a stored reading; merging", settings.name(),
                        readings.size());
            }
        }
        write(c -> {
            rows(c, insertReading, readings);
            rejectedRows(c, rejected);
            position(c, position);
        });
    }

    /** @return the position committed with the last batch, -1 when none was */
    long position() throws SQLException {
        long[] out = { -1 };
        write(c -> {
            try (PreparedStatement ps = c.prepareStatement(settings.dialect().selectPosition(settings.table()))) {
                ps.setString(1, settings.name());
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        out[0] = rs.getLong(1);
                    }
                }
            }
        });
        return out[0];
    }

    private void position(Connection c, long position) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(upsertPosition)) {
            ps.setString(1, settings.name());
            ps.setLong(2, position);
            ps.executeUpdate();
        }
    }

    private void rows(Connection c, String sql, List<Reading> batch) throws SQLException {
        if (batch.isEmpty()) {
            return;
        }
        Dialect d = settings.dialect();
        {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (Reading r : batch) {
                    ps.setString(1, d.text(r.deviceId()));
                    ps.setString(2, d.text(r.location()));
                    ps.setString(3, d.text(r.measurement()));
                    ps.setDouble(4, r.value());
                    ps.setString(5, d.text(r.unit()));
                    ps.setObject(6, utc(r.timestamp()));
                    ps.setLong(7, r.sequence());
                    ps.setString(8, d.text(r.topic()));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    /** Stores dead letters with their raw bytes, like {@link #store}. */
    void storeRejected(List<RejectedMessage> rejected) throws SQLException {
        write(c -> rejectedRows(c, rejected));
    }

    private void rejectedRows(Connection c, List<RejectedMessage> rejected) throws SQLException {
        if (rejected.isEmpty()) {
            return;
        }
        Dialect d = settings.dialect();
        {
            try (PreparedStatement ps = c.prepareStatement(insertRejected)) {
                for (RejectedMessage m : rejected) {
                    OffsetDateTime at = utc(m.receivedAt());
                    ps.setString(1, d.text(m.topic()));
                    ps.setBytes(2, m.payload());
                    ps.setString(3, d.text(m.reason()));
                    ps.setObject(4, at);
                    ps.setString(5, messageKey(m.topic(), at.toInstant(), m.payload()));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    /** A new connection for a reader, with the schema in place; the caller closes it. */
    Connection connection() throws SQLException {
        if (!schemaReady) {
            write(c -> {
            }); // connects (and creates the schema) under the writer's lock
        }
        Connection c = open();
        c.setReadOnly(true);
        return c;
    }

    /**
     * Whether the database answers: a new connection (not the writer's, which may be busy with a batch) asked to
     * validate itself within {@code timeoutSeconds}.
     *
     * @throws SQLException with the driver's reason when it does not
     */
    void probe(int timeoutSeconds) throws SQLException {
        try (Connection c = open()) {
            if (!c.isValid(timeoutSeconds)) {
                throw new SQLException("the database did not answer within " + timeoutSeconds + " s");
            }
        }
    }

    /**
     * Deletes every reading of {@code device} (the operator removed it), in the writer's transaction order.
     *
     * @return how many rows went
     */
    int deleteDevice(String device) throws SQLException {
        int[] n = new int[1];
        String sql = settings.dialect().sql("DELETE FROM `$T` WHERE `device_id` = ?", settings.table());
        write(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, device);
                n[0] = ps.executeUpdate();
            }
        });
        return n[0];
    }

    /** Closes the connection, waiting a while for a call in progress to finish. Later calls fail. */
    @Override
    public void close() {
        closed = true;
        boolean locked = false;
        try {
            locked = lock.tryLock(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Connection c = connection; // without the lock only after the wait timed out: closing aborts the call
            connection = null;
            quietlyClose(c);
        } finally {
            if (locked) {
                lock.unlock();
            }
        }
    }

    private interface Work {
        void run(Connection c) throws SQLException;
    }

    private void write(Work work) throws SQLException {
        lock.lock();
        try {
            if (closed) {
                throw new SQLException("sink '" + settings.name() + "' is closed");
            }
            Connection c = connection;
            try {
                if (c == null) {
                    c = open();
                    c.setAutoCommit(false);
                    createSchema(c);
                    connection = c;
                }
                work.run(c);
                c.commit();
                settings.dialect().afterCommit(c);
            } catch (SQLException e) {
                if (c != null && connection == c && uniqueViolation(e) && rolledBack(c)) {
                    throw e; // the connection is fine: keep it for the retry that skips existing rows
                }
                connection = null;
                rollbackAndClose(c);
                throw e;
            } catch (RuntimeException e) {
                connection = null;
                rollbackAndClose(c);
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    private Connection open() throws SQLException {
        Properties p = settings.dialect().defaults(settings.name());
        if (!settings.user().isEmpty()) {
            p.setProperty("user", settings.user());
        }
        if (!settings.password().isEmpty()) {
            p.setProperty("password", settings.password());
        }
        return settings.dialect().connect(settings.url(), p);
    }

    private void createSchema(Connection c) throws SQLException {
        long t = System.nanoTime(); // a migration builds an index over the existing rows here
        try (Statement s = c.createStatement()) {
            for (String ddl : settings.dialect().schema(settings.table())) {
                s.execute(ddl);
            }
        }
        String migrated = settings.dialect().migrate(c, settings.table());
        c.commit();
        if (migrated != null) {
            LOG.info("Sink '{}': table {} {} in {} ms (once)", settings.name(), settings.table(), migrated,
                    (System.nanoTime() - t) / 1_000_000);
        }
        if (!schemaReady) {
            schemaReady = true;
            LOG.debug("Sink '{}': tables {} and {}_rejected are ready", settings.name(), settings.table(),
                    settings.table());
        }
    }

    static OffsetDateTime utc(Instant t) {
        return t.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    }

    /** SHA-256 over topic, receive time and payload: what makes a dead letter the same one when redelivered. */
    static String messageKey(String topic, Instant receivedAt, byte[] payload) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] t = topic.getBytes(StandardCharsets.UTF_8);
            md.update(ByteBuffer.allocate(Integer.BYTES + Long.BYTES + Integer.BYTES).putInt(t.length)
                    .putLong(receivedAt.getEpochSecond()).putInt(receivedAt.getNano()).array());
            md.update(t);
            md.update(payload);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static boolean rolledBack(Connection c) {
        try {
            c.rollback();
            return true;
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    private static void rollbackAndClose(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.rollback();
        } catch (SQLException | RuntimeException e) {
            // the connection is probably broken; closing is all that is left
        }
        quietlyClose(c);
    }

    private static void quietlyClose(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException | RuntimeException e) {
                LOG.debug("Closing a JDBC connection failed", e);
            }
        }
    }
}
