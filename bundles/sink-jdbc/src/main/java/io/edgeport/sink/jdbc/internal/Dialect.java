package io.edgeport.sink.jdbc.internal;

import io.edgeport.commons.text.Printable;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What differs between the supported databases: the driver, column types and the idempotent insert. Stateless.
 *
 * <p>SQL is written once as a template in which identifiers are in backticks and {@code $T} stands for the configured
 * table; {@link #sql} quotes each identifier in the case the database folds unquoted names to (H2: upper, PostgreSQL:
 * lower). The result names the same objects as unquoted SQL would, but a table or column that happens to be a reserved
 * word ({@code value} is one in H2 2.x) still works.
 *
 * <p>Drivers are instantiated directly (never through {@link java.sql.DriverManager}, which cannot see bundle class
 * loaders). Each driver class is referenced from its own nested class only, so that this bundle loads and works with
 * only one of the two driver bundles installed (both imports are optional).
 */
enum Dialect {

    /** Embedded H2 2.x. The standard MERGE inserts only what is missing (first write wins, as in PostgreSQL). */
    H2("H2", "com.h2database", "VARBINARY", """
            MERGE INTO `$T` AS t USING (VALUES (CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS VARCHAR),
              CAST(? AS DOUBLE PRECISION), CAST(? AS VARCHAR), CAST(? AS TIMESTAMP(6) WITH TIME ZONE), CAST(? AS BIGINT),
              CAST(? AS VARCHAR)))
              AS s(`device_id`, `location`, `measurement`, `value`, `unit`, `ts`, `seq`, `topic`)
            ON t.`device_id` = s.`device_id` AND t.`measurement` = s.`measurement` AND t.`ts` = s.`ts`
              AND t.`seq` = s.`seq`
            WHEN NOT MATCHED THEN INSERT (`device_id`, `location`, `measurement`, `value`, `unit`, `ts`, `seq`, `topic`)
              VALUES (s.`device_id`, s.`location`, s.`measurement`, s.`value`, s.`unit`, s.`ts`, s.`seq`, s.`topic`)
            """, """
            MERGE INTO `$T_rejected` AS t USING (VALUES (CAST(? AS VARCHAR), CAST(? AS VARBINARY), CAST(? AS VARCHAR),
              CAST(? AS TIMESTAMP(6) WITH TIME ZONE), CAST(? AS CHAR(64))))
              AS s(`topic`, `payload`, `reason`, `received_at`, `message_key`)
            ON t.`message_key` = s.`message_key`
            WHEN NOT MATCHED THEN INSERT (`topic`, `payload`, `reason`, `received_at`, `message_key`)
              VALUES (s.`topic`, s.`payload`, s.`reason`, s.`received_at`, s.`message_key`)
            """) {
        @Override
        Driver newDriver() {
            return H2Driver.create();
        }

        /**
         * H2 writes a committed transaction only after WRITE_DELAY (500 ms by default): a kill -9 in that window lost
         * rows the sink had committed and acknowledged to the broker (3,331 of 27,118 in the crash harness). With 0
         * each commit is written at once — one write per batch. A WRITE_DELAY in the URL wins.
         */
        /**
         * H2 2.5's commit, even with WRITE_DELAY=0, is not always on disk when it returns: killed with SIGKILL right
         * after commits, 3 of 15 runs lost 4,000-6,000 committed rows (bench: H2Tort in the issue 11 notes); with a
         * CHECKPOINT after each commit, 0 of 15. One CHECKPOINT per batch, so it costs no more writes.
         */
        @Override
        void afterCommit(Connection c) throws SQLException {
            try (Statement s = c.createStatement()) {
                s.execute("CHECKPOINT");
            }
        }

        /**
         * REUSE_SPACE=FALSE: H2 2.5 writes a commit into free space inside the file when it can, and after a SIGKILL
         * it then sometimes opens an older version: with a reader running beside the writer, 3 of 20 kills lost
         * 1,000-6,500 committed rows even with CHECKPOINT (CHECKPOINT SYNC: 1 of 20); appending instead lost none in
         * 20. The file grows with what is written (about 1.4 times the rows for this table), not with the commits.
         * Settings in the URL win.
         */
        @Override
        Connection connect(String url, Properties properties) throws SQLException {
            String upper = url.toUpperCase(Locale.ROOT);
            if (!upper.contains("WRITE_DELAY")) {
                properties.setProperty("WRITE_DELAY", "0");
            }
            if (!upper.contains("REUSE_SPACE")) {
                properties.setProperty("REUSE_SPACE", "FALSE");
            }
            if (!upper.contains("DB_CLOSE_ON_EXIT")) {
                // H2's own JVM shutdown hook closed the database under the running sink at every SIGTERM ("store
                // failed: Database is already closed"): the sink closes it when its component stops, in order.
                properties.setProperty("DB_CLOSE_ON_EXIT", "FALSE");
            }
            return super.connect(url, properties);
        }

        @Override
        String upsertPosition(String table) {
            return sql("MERGE INTO `$T_position` (`sink`, `position`) KEY (`sink`) VALUES (?, ?)", table);
        }

        /** MERGE costs H2 a lookup per row (~17k rows/s); a plain INSERT is several times faster. */
        @Override
        String fastInsertReading(String table) {
            return sql("""
                    INSERT INTO `$T` (`device_id`, `location`, `measurement`, `value`, `unit`, `ts`, `seq`, `topic`)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, table);
        }

        @Override
        String fold(String identifier) {
            return identifier.toUpperCase(Locale.ROOT);
        }

        /**
         * One unique index serves both the deduplication and the per-device time queries (device_id, ts first): each
         * index costs H2 a copy-on-write B-tree update and an undo-log entry per row, and a page write per commit. With
         * the former pair (UNIQUE (device_id, measurement, ts, seq) + INDEX (device_id, ts)) H2LayoutBenchmark
         * stored 18,775 rows/s (8.8 kB allocated per row), with this one 45,760 (6.3 kB): 100 devices, batches of
         * 1000, commit + CHECKPOINT each; with the 4 devices of bench/telemetry.sh 74k and 100k rows/s.
         * A unique index, not a constraint: H2 lets a new UNIQUE constraint adopt an existing unique index on the same
         * columns in any order, which would keep the old column order in a migrated table.
         */
        @Override
        String readingsKey() {
            return "";
        }

        @Override
        List<String> readingsIndexes(String table) {
            return List.of(sql("CREATE UNIQUE INDEX IF NOT EXISTS `$T_device_ts_key` ON `$T` (`device_id`, `ts`,"
                    + " `measurement`, `seq`)", table));
        }

        /**
         * Drops the former pair of indexes (see {@link #readingsKey}) once {@link #readingsIndexes} has built the new
         * one: the readings stay unique throughout, and a crash in between only leaves a step for the next start.
         */
        @Override
        String migrate(Connection c, String table) throws SQLException {
            boolean oldKey = exists(c, "SELECT 1 FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA ="
                    + " CURRENT_SCHEMA AND TABLE_NAME = ? AND CONSTRAINT_NAME = ?", fold(table), fold(table + "_key"));
            boolean oldIndex = exists(c, "SELECT 1 FROM INFORMATION_SCHEMA.INDEXES WHERE TABLE_SCHEMA = CURRENT_SCHEMA"
                    + " AND TABLE_NAME = ? AND INDEX_NAME = ?", fold(table), fold(table + "_device_ts"));
            if (!oldKey && !oldIndex) {
                return null;
            }
            try (Statement s = c.createStatement()) {
                s.execute(sql("ALTER TABLE `$T` DROP CONSTRAINT IF EXISTS `$T_key`", table));
                s.execute(sql("DROP INDEX IF EXISTS `$T_device_ts`", table));
            }
            return "now has one unique index " + fold(table + "_device_ts_key") + " (device_id, ts, measurement, seq)"
                    + " instead of " + (oldKey ? "the constraint " + fold(table + "_key") : "")
                    + (oldKey && oldIndex ? " and " : "") + (oldIndex ? "the index " + fold(table + "_device_ts") : "");
        }

        private static boolean exists(Connection c, String query, String table, String name) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(query)) {
                ps.setString(1, table);
                ps.setString(2, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        }
    },

    /** PostgreSQL (tested with 15): {@code INSERT ... ON CONFLICT DO NOTHING}. */
    POSTGRESQL("PostgreSQL", "org.postgresql.jdbc", "BYTEA", """
            INSERT INTO `$T` (`device_id`, `location`, `measurement`, `value`, `unit`, `ts`, `seq`, `topic`)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (`device_id`, `measurement`, `ts`, `seq`) DO NOTHING
            """, """
            INSERT INTO `$T_rejected` (`topic`, `payload`, `reason`, `received_at`, `message_key`)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (`message_key`) DO NOTHING
            """) {
        @Override
        Driver newDriver() {
            return PostgresDriver.create();
        }

        @Override
        String fold(String identifier) {
            return identifier.toLowerCase(Locale.ROOT);
        }

        @Override
        String upsertPosition(String table) {
            return sql("""
                    INSERT INTO `$T_position` (`sink`, `position`) VALUES (?, ?)
                    ON CONFLICT (`sink`) DO UPDATE SET `position` = EXCLUDED.`position`
                    """, table);
        }

        /** PostgreSQL text cannot hold U+0000; a reading with one would fail its batch forever. */
        @Override
        String text(String s) {
            return s.indexOf('\u0000') < 0 ? s : s.replace('\u0000', '\uFFFD');
        }

        @Override
        Properties defaults(String sinkName) {
            Properties p = new Properties();
            // One multi-row INSERT per batch instead of one round trip per row. A setting in the URL wins.
            p.setProperty("reWriteBatchedInserts", "true");
            p.setProperty("connectTimeout", "10");
            p.setProperty("ApplicationName", "edgeport-sink-" + sinkName);
            return p;
        }
    };

    private static final Pattern IDENTIFIER = Pattern.compile("`([^`]+)`");

    private final String product;
    private final String bundle;
    private final String binaryType;
    private final String insertReading;
    private final String insertRejected;

    Dialect(String product, String bundle, String binaryType, String insertReading, String insertRejected) {
        this.product = product;
        this.bundle = bundle;
        this.binaryType = binaryType;
        this.insertReading = insertReading;
        this.insertRejected = insertRejected;
    }

    /** @throws IllegalArgumentException for a URL of any other database; the message does not repeat the URL */
    static Dialect forUrl(String url) {
        if (url.startsWith("jdbc:h2:")) {
            return H2;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        int colon = url.indexOf(':', url.indexOf(':') + 1);
        throw new IllegalArgumentException("url: unsupported database '" + Printable.of(colon < 0 ? url
                : url.substring(0, colon)) + "'; use jdbc:h2:... or jdbc:postgresql://host:port/database");
    }

    abstract Driver newDriver();

    abstract String fold(String identifier);

    /** Text as the database can store it. */
    String text(String s) {
        return s;
    }

    /** Runs after each commit, before the sink returns (and the broker's message is acknowledged). */
    void afterCommit(Connection c) throws SQLException {
        // the database's commit is durable
    }

    /** Driver properties unless the URL sets them. */
    Properties defaults(String sinkName) {
        return new Properties();
    }

    String product() {
        return product;
    }

    /**
     * Opens a connection with the driver of this dialect.
     *
     * @throws SQLException when the driver bundle is missing, the driver refuses the URL or the database is not there
     */
    Connection connect(String url, Properties properties) throws SQLException {
        Driver driver;
        try {
            driver = newDriver();
        } catch (NoClassDefFoundError e) {
            throw new SQLException("the " + product + " JDBC driver is not available: install the bundle " + bundle,
                    e);
        }
        Connection c = driver.connect(url, properties);
        if (c == null) {
            throw new SQLException("the " + product + " JDBC driver does not accept the configured url");
        }
        return c;
    }

    /** The template with identifiers quoted for this database and {@code $T} replaced by the table. */
    String sql(String template, String table) {
        Matcher m = IDENTIFIER.matcher(template);
        StringBuilder b = new StringBuilder(template.length() + 32);
        while (m.find()) {
            m.appendReplacement(b, Matcher.quoteReplacement('"' + fold(m.group(1).replace("$T", table)) + '"'));
        }
        m.appendTail(b);
        return b.toString();
    }

    String insertReading(String table) {
        return sql(insertReading, table);
    }

    /** A plain INSERT to try before the idempotent one, or null when the idempotent one is as fast. */
    String fastInsertReading(String table) {
        return null;
    }

    String insertRejected(String table) {
        return sql(insertRejected, table);
    }

    /** Sets a sink's position in the message store (table {@code <table>_position}). */
    abstract String upsertPosition(String table);

    String selectPosition(String table) {
        return sql("SELECT `position` FROM `$T_position` WHERE `sink` = ?", table);
    }

    /**
     * The readings table's unique constraint (what makes a reading the same one: device, measurement, time and
     * sequence) as a column-list entry of CREATE TABLE, or "" where {@link #readingsIndexes} creates a unique index
     * instead. PostgreSQL: in the order of the ON CONFLICT clause, with a second index for the per-device queries.
     */
    String readingsKey() {
        return ",\n  CONSTRAINT `$T_key` UNIQUE (`device_id`, `measurement`, `ts`, `seq`)";
    }

    /** Indexes of the readings table besides its unique key. */
    List<String> readingsIndexes(String table) {
        return List.of(sql("CREATE INDEX IF NOT EXISTS `$T_device_ts` ON `$T` (`device_id`, `ts`)", table));
    }

    /**
     * Brings a readings table created by an older version to the current layout; runs on every new writer connection
     * after {@link #schema}, committed by the caller.
     *
     * @return what was changed, for one log line, or null when the table was up to date
     */
    String migrate(Connection c, String table) throws SQLException {
        return null;
    }

    /** Statements that create what is missing; each may run again on an existing schema. */
    List<String> schema(String table) {
        String ts = "TIMESTAMP(6) WITH TIME ZONE";
        List<String> out = new ArrayList<>();
        out.add(sql("""
                CREATE TABLE IF NOT EXISTS `$T` (
                  `id` BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                  `device_id` VARCHAR NOT NULL,
                  `location` VARCHAR NOT NULL,
                  `measurement` VARCHAR NOT NULL,
                  `value` DOUBLE PRECISION NOT NULL,
                  `unit` VARCHAR NOT NULL,
                  `ts` %1$s NOT NULL,
                  `seq` BIGINT NOT NULL,
                  `topic` VARCHAR NOT NULL,
                  `stored_at` %1$s DEFAULT CURRENT_TIMESTAMP NOT NULL%2$s)
                """.formatted(ts, readingsKey()), table));
        out.addAll(readingsIndexes(table));
        out.add(sql("""
                CREATE TABLE IF NOT EXISTS `$T_rejected` (
                  `id` BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                  `topic` VARCHAR NOT NULL,
                  `payload` %2$s NOT NULL,
                  `reason` VARCHAR NOT NULL,
                  `received_at` %1$s NOT NULL,
                  `message_key` CHAR(64) NOT NULL,
                  `stored_at` %1$s DEFAULT CURRENT_TIMESTAMP NOT NULL,
                  CONSTRAINT `$T_rejected_key` UNIQUE (`message_key`))
                """.formatted(ts, binaryType), table));
        // where each sink writing this table is in the gateway's message store, committed with its rows
        out.add(sql("""
                CREATE TABLE IF NOT EXISTS `$T_position` (
                  `sink` VARCHAR(128) PRIMARY KEY,
                  `position` BIGINT NOT NULL)
                """, table));
        return List.copyOf(out);
    }

    /** The only class that names org.h2: loaded when an H2 URL is used. */
    private static final class H2Driver {
        static Driver create() {
            return new org.h2.Driver();
        }
    }

    /** The only class that names org.postgresql: loaded when a PostgreSQL URL is used. */
    private static final class PostgresDriver {
        static Driver create() {
            return new org.postgresql.Driver();
        }
    }
}
