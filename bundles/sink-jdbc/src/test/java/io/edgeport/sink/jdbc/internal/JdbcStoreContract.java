package io.edgeport.sink.jdbc.internal;

import static io.edgeport.sink.jdbc.internal.Configs.T0;
import static io.edgeport.sink.jdbc.internal.Configs.reading;
import static io.edgeport.sink.jdbc.internal.Configs.readings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.edgeport.api.telemetry.Reading;
import io.edgeport.api.telemetry.RejectedMessage;

/** What every database must do; subclasses supply the database. Each test gets tables of its own. */
abstract class JdbcStoreContract {

    private static final AtomicInteger TABLES = new AtomicInteger();
    protected JdbcStore store;
    protected TelemetryQueries queries;
    protected String table;

    /** A URL of an empty or shared database. */
    abstract String url();

    /** The readings table's indexes besides the primary key, by the part of their names after the table name. */
    abstract List<String> expectedIndexes();

    @BeforeEach
    void open() {
        table = "readings_" + TABLES.incrementAndGet();
        store = new JdbcStore(settings(table));
        queries = new TelemetryQueries(store);
    }

    /** The same user for both databases: PostgreSQL's superuser; H2 creates it with the database. */
    SinkSettings settings(String t) {
        return Configs.settings(url(), t, "user", "postgres");
    }

    @AfterEach
    void close() {
        store.close();
    }

    long count(String t) throws SQLException {
        try (Connection c = store.connection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(store.settings().dialect().sql("SELECT COUNT(*) FROM `" + t + "`",
                        table))) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void createsTablesAndIndexesOnFirstUse() throws Exception {
        store.store(List.of(reading("d1", "temperature", 21.5, 0, 1)));
        assertThat(count("$T")).isEqualTo(1);
        assertThat(count("$T_rejected")).isZero();
        try (Connection c = store.connection()) {
            List<String> indexes = new ArrayList<>();
            try (ResultSet rs = c.getMetaData().getIndexInfo(null, null, store.settings().dialect().fold(table),
                    false, false)) {
                while (rs.next()) {
                    indexes.add(String.valueOf(rs.getString("INDEX_NAME")).toLowerCase());
                }
            }
            for (String prefix : expectedIndexes()) {
                assertThat(indexes).anyMatch(i -> i.startsWith(table + prefix));
            }
        }
    }

    @Test
    void storesEveryFieldOfABatch() throws Exception {
        Reading noSeq = new Reading("t/x", "d<1>", "", "humidity", 55.25, "", T0.plusNanos(123_456_789), -1);
        store.store(List.of(reading("d<1>", "temperature", -3.5, 10, 7), noSeq));
        List<StoredReading> back = queries.readings(ReadingQuery.parse("d<1>", null, null, null));
        assertThat(back).hasSize(2);
        StoredReading first = back.get(0);
        assertThat(first.measurement()).isEqualTo("temperature");
        assertThat(first.value()).isEqualTo(-3.5);
        assertThat(first.unit()).isEqualTo("°C");
        assertThat(first.location()).isEqualTo("building-a/floor-1");
        assertThat(first.topic()).isEqualTo("site/d<1>/temperature");
        assertThat(first.ts()).isEqualTo(T0.plusSeconds(10));
        assertThat(first.seq()).isEqualTo(7);
        assertThat(first.storedAt()).isNotNull();
        StoredReading second = back.get(1);
        assertThat(second.seq()).isEqualTo(-1);
        assertThat(second.ts()).as("microseconds are kept").isEqualTo(T0.plusNanos(123_456_000));
        assertThat(second.location()).isEmpty();
    }

    @Test
    void redeliveredBatchStoresNothingTwice() throws Exception {
        List<Reading> batch = readings("d1", 0, 50);
        store.store(batch);
        store.store(batch);
        List<Reading> overlapping = new ArrayList<>(readings("d1", 40, 20)); // 10 old, 10 new
        overlapping.add(overlapping.get(0)); // and a duplicate inside one batch
        store.store(overlapping);
        assertThat(count("$T")).isEqualTo(60);
    }

    @Test
    void theFirstWriteWinsForTheSameKey() throws Exception {
        store.store(List.of(reading("d1", "temperature", 1.0, 0, 5)));
        store.store(List.of(reading("d1", "temperature", 2.0, 0, 5), reading("d1", "temperature", 3.0, 0, 6)));
        assertThat(queries.readings(ReadingQuery.parse("d1", null, null, null))).extracting(StoredReading::value)
                .containsExactly(3.0, 1.0);
    }

    @Test
    void nanosecondsDoNotBreakIdempotence() throws Exception {
        Reading r = new Reading("t", "d1", "", "m", 1, "", T0.plusNanos(999_999_999), -1);
        store.store(List.of(r));
        store.store(List.of(r));
        assertThat(count("$T")).isEqualTo(1);
    }

    @Test
    void deadLettersKeepTheirRawBytesAndAreIdempotent() throws Exception {
        byte[] binary = { 0, (byte) 0xff, (byte) 0xc3, '{', '"', 10 };
        RejectedMessage a = new RejectedMessage("site/d1/x", binary, "not valid JSON: ...", T0);
        RejectedMessage b = new RejectedMessage("site/d1/x", "{}".getBytes(StandardCharsets.UTF_8), "no value",
                T0.plusMillis(1));
        RejectedMessage c = new RejectedMessage("site/d1/x", binary, "not valid JSON: ...", T0.plusMillis(1));
        store.storeRejected(List.of(a, b));
        store.storeRejected(List.of(a, b, c));
        assertThat(count("$T_rejected")).isEqualTo(3);
        try (Connection con = store.connection(); Statement s = con.createStatement();
                ResultSet rs = s.executeQuery(store.settings().dialect().sql("SELECT `payload`, `reason`, `topic`"
                        + " FROM `$T_rejected` ORDER BY `id`", table))) {
            rs.next();
            assertThat(rs.getBytes(1)).containsExactly(binary);
            assertThat(rs.getString(2)).isEqualTo("not valid JSON: ...");
            assertThat(rs.getString(3)).isEqualTo("site/d1/x");
        }
    }

    @Test
    void aFailedBatchIsNotPartlyStoredAndTheNextCallReconnects() throws Exception {
        store.store(readings("d1", 0, 3));
        try (Connection c = store.connection(); Statement s = c.createStatement()) {
            c.setReadOnly(false);
            s.execute(store.settings().dialect().sql("DROP TABLE `$T`", table));
            if (!c.getAutoCommit()) {
                c.commit();
            }
        }
        assertThatThrownBy(() -> store.store(readings("d1", 3, 3))).isInstanceOf(SQLException.class);
        store.store(readings("d1", 0, 6)); // reconnects, creates the table again
        assertThat(count("$T")).isEqualTo(6);
    }

    @Test
    void theStorePositionIsCommittedWithTheRowsAndSurvivesAReopen() throws Exception {
        assertThat(store.position()).as("nothing stored yet").isEqualTo(-1);
        RejectedMessage bad = new RejectedMessage("sensors/x", "{".getBytes(StandardCharsets.UTF_8), "not JSON", T0);
        store.store(readings("d1", 0, 10), List.of(bad), 4711);
        assertThat(store.position()).isEqualTo(4711);
        store.store(readings("d1", 10, 10), List.of(), 5000);
        store.close();
        store = new JdbcStore(settings(table));
        assertThat(store.position()).isEqualTo(5000);
        assertThat(count("$T")).isEqualTo(20);
        assertThat(count("$T_rejected")).isEqualTo(1);
    }

    @Test
    void aBatchThatRepeatsAStoredReadingStillMovesThePositionAndStoresTheRest() throws Exception {
        store.store(readings("d1", 0, 10), List.of(), 100);
        // a device resent reading 9 (QoS 1) and sent 10-19: the position must move with the new rows
        store.store(readings("d1", 9, 11), List.of(), 200);
        assertThat(count("$T")).isEqualTo(20);
        assertThat(store.position()).isEqualTo(200);
    }

    @Test
    void twoSinksOnOneTableKeepTheirOwnPositions() throws Exception {
        JdbcStore other = new JdbcStore(Configs.settings(url(), table, "user", "postgres", "name", "other"));
        try {
            store.store(readings("d1", 0, 5), List.of(), 10);
            other.store(readings("d2", 0, 5), List.of(), 99);
            assertThat(store.position()).isEqualTo(10);
            assertThat(other.position()).isEqualTo(99);
        } finally {
            other.close();
        }
    }

    @Test
    void aClosedStoreRefusesWrites() {
        store.close();
        assertThatThrownBy(() -> store.store(readings("d1", 0, 1))).isInstanceOf(SQLException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void devicesShowTheNewestValueAndTheCountPerMeasurement() throws Exception {
        store.store(readings("b", 0, 5));
        store.store(List.of(reading("a", "temperature", 1, 3, 1), reading("a", "temperature", 2, 9, 2),
                reading("a", "humidity", 40, 1, 9), reading("a", "temperature", 0.5, 1, 0)));
        List<DeviceSummary> d = queries.devices();
        assertThat(d).extracting(DeviceSummary::deviceId, DeviceSummary::measurement, DeviceSummary::value,
                DeviceSummary::count).containsExactly(
                        org.assertj.core.api.Assertions.tuple("a", "humidity", 40.0, 1L),
                        org.assertj.core.api.Assertions.tuple("a", "temperature", 2.0, 3L),
                        org.assertj.core.api.Assertions.tuple("b", "temperature", 20.4, 5L));
        assertThat(d.get(1).ts()).isEqualTo(T0.plusSeconds(9));
        assertThat(d.get(1).seq()).isEqualTo(2);
    }

    @Test
    void readingsAreNewestFirstWithinTheRangeAndLimit() throws Exception {
        store.store(readings("d1", 0, 30));
        store.store(readings("other", 0, 5));
        assertThat(queries.readings(ReadingQuery.parse("d1", null, null, null))).hasSize(30)
                .extracting(StoredReading::seq).startsWith(29L, 28L).endsWith(0L);
        assertThat(queries.readings(ReadingQuery.parse("d1", T0.plusSeconds(10).toString(),
                T0.plusSeconds(20).toString(), null))).extracting(StoredReading::seq)
                .containsExactly(19L, 18L, 17L, 16L, 15L, 14L, 13L, 12L, 11L, 10L);
        assertThat(queries.readings(ReadingQuery.parse("d1", "2024-05-01T14:00:25+02:00", null, "3")))
                .extracting(StoredReading::seq).containsExactly(29L, 28L, 27L);
        assertThat(queries.readings(ReadingQuery.parse("d1", null, T0.plusSeconds(2).toString(), "100")))
                .extracting(StoredReading::seq).containsExactly(1L, 0L);
        assertThat(queries.readings(ReadingQuery.parse("nobody", null, null, null))).isEmpty();
    }

    @Test
    void queriesWorkBeforeAnythingWasStored() throws Exception {
        assertThat(queries.devices()).isEmpty();
        assertThat(queries.readings(ReadingQuery.parse("d1", null, null, null))).isEmpty();
    }
}
