package io.edgeport.sink.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeport.api.telemetry.Reading;

/** The JSON endpoints over real H2 sinks: documents, parameters, errors and the choice of sink. */
class TelemetryApiTest {

    @TempDir
    Path dir;
    private final List<JdbcTelemetrySink> sinks = new ArrayList<>();
    private final Map<String, String> params = new HashMap<>();

    JdbcTelemetrySink sink(String name) {
        JdbcTelemetrySink s = new JdbcTelemetrySink(new JdbcStore(Configs.settings("jdbc:h2:file:"
                + dir.resolve(name), "readings", "name", name)));
        sinks.add(s);
        return s;
    }

    @BeforeEach
    void setUp() throws Exception {
        sink("default").store(List.of(new Reading("t/\"q\"", "dev\"<1>", "a\\b", "temp", 21.5, "°C",
                Configs.T0, -1), Configs.reading("d2", "temperature", 1e10, 5, 3)));
    }

    @AfterEach
    void tearDown() {
        sinks.forEach(JdbcTelemetrySink::close);
    }

    TelemetryApi.Response get(String path, String... kv) {
        for (int i = 0; i < kv.length; i += 2) {
            params.put(kv[i], kv[i + 1]);
        }
        return TelemetryApi.handle(sinks, path, params::get);
    }

    @Test
    void devicesAsEscapedJson() {
        TelemetryApi.Response r = get("/telemetry/devices.json");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json()).isEqualTo("[{\"device_id\":\"d2\",\"measurement\":\"temperature\",\"location\":"
                + "\"building-a/floor-1\",\"value\":1.0E10,\"unit\":\"°C\",\"ts\":\"2024-05-01T12:00:05Z\",\"seq\":3,"
                + "\"count\":1},{\"device_id\":\"dev\\\"\\u003c1\\u003e\",\"measurement\":\"temp\",\"location\":"
                + "\"a\\\\b\",\"value\":21.5,\"unit\":\"°C\",\"ts\":\"2024-05-01T12:00:00Z\",\"seq\":null,"
                + "\"count\":1}]");
    }

    @Test
    void statsCountRowsAndGiveTheStorePosition() throws Exception {
        assertThat(get("/telemetry/stats.json").json())
                .isEqualTo("{\"sink\":\"default\",\"rows\":2,\"rejected\":0,\"position\":-1}");
        sinks.get(0).store(List.of(Configs.reading("d3", "temperature", 1, 9, 1)), List.of(), 777);
        assertThat(get("/telemetry/stats.json").json())
                .isEqualTo("{\"sink\":\"default\",\"rows\":3,\"rejected\":0,\"position\":777}");
    }

    @Test
    void readingsOfOneDevice() {
        TelemetryApi.Response r = get("/telemetry/readings.json", "device", "d2", "limit", "10");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json()).startsWith("[{\"device_id\":\"d2\",").contains("\"topic\":\"site/d2/temperature\"")
                .contains("\"stored_at\":\"20").endsWith("}]");
        assertThat(get("/telemetry/readings.json", "device", "d2", "from", "2024-05-01T12:00:06Z").json())
                .isEqualTo("[]");
    }

    @Test
    void badParametersAre400WithAMessage() {
        assertThat(get("/x/readings.json")).isEqualTo(new TelemetryApi.Response(400,
                "{\"error\":\"parameter 'device' is required\"}"));
        params.put("device", "d2");
        assertThat(get("/x/readings.json", "limit", "0").status()).isEqualTo(400);
        assertThat(get("/x/readings.json", "limit", "10001").json()).contains("'limit' must be a number 1..10000");
        assertThat(get("/x/readings.json", "limit", "ten").status()).isEqualTo(400);
        params.remove("limit");
        assertThat(get("/x/readings.json", "from", "yesterday").json()).contains("'from' must be an ISO-8601");
        assertThat(get("/x/readings.json", "from", "2024-05-02T00:00:00Z", "to", "2024-05-01T00:00:00Z").json())
                .contains("'from' must be before 'to'");
        params.clear();
        assertThat(get("/x/devices.json", "sink", "<nope>")).isEqualTo(new TelemetryApi.Response(400,
                "{\"error\":\"no sink '\\u003cnope\\u003e'; sinks: [default]\"}"));
        assertThat(get("/x/other.json").status()).isEqualTo(404);
    }

    @Test
    void picksTheNamedSinkTheDefaultOrTheOnlyOne() throws Exception {
        sink("pg").store(List.of(Configs.reading("p1", "m", 1, 0, 0)));
        assertThat(get("/devices.json").json()).contains("d2");
        assertThat(get("/devices.json", "sink", "pg").json()).contains("p1").doesNotContain("d2");
        sinks.remove(0).close();
        params.clear();
        assertThat(get("/devices.json").json()).as("the only one").contains("p1");
        sink("other");
        assertThat(get("/devices.json")).extracting(TelemetryApi.Response::status).isEqualTo(400);
        sinks.forEach(JdbcTelemetrySink::close);
        sinks.clear();
        assertThat(get("/devices.json").status()).isEqualTo(503);
    }

    @Test
    void jsonEscapesControlCharacters() {
        assertThat(Json.string(new StringBuilder(), "a\u0001\n\t\u2028/").toString())
                .isEqualTo("\"a\\u0001\\n\\t\\u2028/\"");
        assertThat(Json.error(null)).isEqualTo("{\"error\":null}");
    }
}
