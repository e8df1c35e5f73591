package io.edgeport.sink.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what a {@link JdbcStore} wrote, on a connection of its own per call. Thread-safe.
 *
 * <p>{@link #devices} scans the whole table (it counts the rows per device); {@link #readings} uses an index that
 * starts with (device_id, ts): the unique key in H2, the (device_id, ts) index in PostgreSQL.
 */
final class TelemetryQueries {

    private static final String COLUMNS = "`device_id`, `measurement`, `location`, `value`, `unit`, `ts`, `seq`";

    private final JdbcStore store;
    private final String devices;
    private final String readings;

    TelemetryQueries(JdbcStore store) {
        this.store = store;
        SinkSettings s = store.settings();
        this.devices = s.dialect().sql("SELECT " + COLUMNS + ", `n` FROM (SELECT " + COLUMNS + ","
                + " ROW_NUMBER() OVER (PARTITION BY `device_id`, `measurement` ORDER BY `ts` DESC, `seq` DESC,"
                + " `id` DESC) AS `rn`, COUNT(*) OVER (PARTITION BY `device_id`, `measurement`) AS `n` FROM `$T`)"
                + " AS `x` WHERE `rn` = 1 ORDER BY `device_id`, `measurement`", s.table());
        this.readings = "SELECT " + COLUMNS + ", `topic`, `stored_at` FROM `$T` WHERE `device_id` = ?";
    }

    /** The sink's figures: rows, dead letters and its position in the message store (cheap: no table scan). */
    record Stats(long rows, long rejected, long position) {
    }

    Stats stats() throws SQLException {
        SinkSettings s = store.settings();
        try (Connection c = store.connection(); java.sql.Statement st = c.createStatement()) {
            long rows = count(st, s.dialect().sql("SELECT COUNT(*) FROM `$T`", s.table()));
            long rejected = count(st, s.dialect().sql("SELECT COUNT(*) FROM `$T_rejected`", s.table()));
            return new Stats(rows, rejected, store.position());
        }
    }

    private static long count(java.sql.Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    String sinkName() {
        return store.settings().name();
    }

    /** @return one entry per device and measurement, sorted by both */
    List<DeviceSummary> devices() throws SQLException {
        try (Connection c = store.connection(); PreparedStatement ps = c.prepareStatement(devices);
                ResultSet rs = ps.executeQuery()) {
            List<DeviceSummary> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new DeviceSummary(rs.getString(1), rs.getString(2), rs.getString(3), rs.getDouble(4),
                        rs.getString(5), instant(rs, 6), rs.getLong(7), rs.getLong(8)));
            }
            return out;
        }
    }

    /** @return newest first */
    List<StoredReading> readings(ReadingQuery q) throws SQLException {
        SinkSettings s = store.settings();
        StringBuilder sql = new StringBuilder(readings);
        if (q.from() != null) {
            sql.append(" AND `ts` >= ?");
        }
        if (q.to() != null) {
            sql.append(" AND `ts` < ?");
        }
        sql.append(" ORDER BY `ts` DESC, `seq` DESC, `id` DESC LIMIT ?");
        try (Connection c = store.connection();
                PreparedStatement ps = c.prepareStatement(s.dialect().sql(sql.toString(), s.table()))) {
            int i = 1;
            ps.setString(i++, q.device());
            if (q.from() != null) {
                ps.setObject(i++, JdbcStore.utc(q.from()));
            }
            if (q.to() != null) {
                ps.setObject(i++, JdbcStore.utc(q.to()));
            }
            ps.setInt(i, q.limit());
            try (ResultSet rs = ps.executeQuery()) {
                List<StoredReading> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new StoredReading(rs.getString(1), rs.getString(2), rs.getString(3), rs.getDouble(4),
                            rs.getString(5), instant(rs, 6), rs.getLong(7), rs.getString(8), instant(rs, 9)));
                }
                return out;
            }
        }
    }

    /** A message that is no reading, as the dead-letter table keeps it. */
    record Rejected(String topic, String reason, Instant receivedAt, String payload) {
    }

    /** @return the newest {@code limit} rejected messages, newest first; payloads cut to 200 characters */
    List<Rejected> rejected(int limit) throws SQLException {
        SinkSettings s = store.settings();
        try (Connection c = store.connection(); PreparedStatement ps = c.prepareStatement(s.dialect().sql(
                "SELECT `topic`, `reason`, `received_at`, `payload` FROM `$T_rejected` ORDER BY `received_at` DESC,"
                        + " `id` DESC LIMIT ?", s.table()))) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                List<Rejected> out = new ArrayList<>();
                while (rs.next()) {
                    byte[] p = rs.getBytes(4);
                    String text = new String(p, 0, Math.min(p.length, 800), java.nio.charset.StandardCharsets.UTF_8);
                    out.add(new Rejected(rs.getString(1), rs.getString(2), instant(rs, 3),
                            text.length() > 200 ? text.substring(0, 200) + "..." : text));
                }
                return out;
            }
        }
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }
}
