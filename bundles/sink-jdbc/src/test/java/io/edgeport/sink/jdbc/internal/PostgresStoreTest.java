package io.edgeport.sink.jdbc.internal;

import io.edgeport.testsupport.PostgresServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.edgeport.api.telemetry.Reading;

/** The store contract on a throw-away PostgreSQL 15 server, plus a server restart. */
class PostgresStoreTest extends JdbcStoreContract {

    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();

    @Override
    String url() {
        return PG.url();
    }

    @Override
    List<String> expectedIndexes() {
        return List.of("_key", "_device_ts");
    }

    @Test
    void survivesAServerRestartWithExactCounts() throws Exception {
        store.store(Configs.readings("d1", 0, 10));
        PG.stop();
        try {
            assertThatThrownBy(() -> store.store(Configs.readings("d1", 10, 10))).isInstanceOf(Exception.class);
            assertThatThrownBy(() -> store.store(Configs.readings("d1", 10, 10)))
                    .as("no server, no connection").isInstanceOf(Exception.class);
        } finally {
            PG.start();
        }
        store.store(Configs.readings("d1", 5, 15)); // the failed batch again, overlapping the stored one
        assertThat(count("$T")).isEqualTo(20);
    }

    @Test
    void nulCharactersCannotBlockTheSink() throws Exception {
        store.store(List.of(new Reading("t", "d\u00001", "", "m", 1, "u\u0000", Configs.T0, 1)));
        assertThat(queries.devices()).extracting(DeviceSummary::deviceId).containsExactly("d\uFFFD1");
    }
}
