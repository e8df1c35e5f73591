package io.edgeport.sink.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on an embedded H2 file database in a temp directory. */
class H2StoreTest extends JdbcStoreContract {

    @TempDir
    Path dir;

    @Override
    String url() {
        return "jdbc:h2:file:" + dir.resolve("telemetry");
    }

    @Test
    void keepsReadingsAcrossAReopen() throws Exception {
        store.store(Configs.readings("d1", 0, 4));
        store.close();
        store = new JdbcStore(settings(table));
        queries = new TelemetryQueries(store);
        assertThat(queries.readings(ReadingQuery.parse("d1", null, null, null))).hasSize(4);
        assertThat(Files.exists(dir.resolve("telemetry.mv.db"))).isTrue();
    }

    @Test
    void aTableNamedLikeAKeywordStillWorks() throws Exception {
        JdbcStore s = new JdbcStore(settings("value"));
        try {
            s.store(List.of(Configs.reading("d1", "m", 1, 0, 0)));
            assertThat(new TelemetryQueries(s).devices()).hasSize(1);
        } finally {
            s.close();
        }
    }
}
