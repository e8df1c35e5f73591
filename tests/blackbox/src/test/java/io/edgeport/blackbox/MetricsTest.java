package io.edgeport.blackbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Prometheus endpoint, read by the Prometheus project's own parser (Debian python3-prometheus-client): it parses,
 * needs the console's credentials, and its counters move while a fleet publishes.
 */
class MetricsTest {

    static final String PYTHON = "/usr/bin/python3";
    static final String PARSE = """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            for family in text_string_to_metric_families(sys.stdin.read()):
                for s in family.samples:
                    labels = ",".join(k + "=" + v for k, v in sorted(s.labels.items()))
                    print(family.type, s.name + ("{" + labels + "}" if labels else ""), repr(float(s.value)))
            """;

    @TempDir
    Path dir;

    /** @return sample name (with labels) → value, as the Prometheus parser reads {@code text}; fails on bad syntax */
    static Map<String, Double> parse(String text) throws Exception {
        Process p = new ProcessBuilder(PYTHON, "-c", PARSE).redirectErrorStream(true).start();
        p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("the Prometheus parser: " + out).isZero();
        Map<String, Double> samples = new TreeMap<>();
        for (String line : out.split("\n")) {
            int first = line.indexOf(' ');
            int last = line.lastIndexOf(' ');
            if (first > 0 && last > first) { // type, name{labels} (label values may hold spaces), value
                samples.put(line.substring(first + 1, last), Double.parseDouble(line.substring(last + 1)));
            }
        }
        return samples;
    }

    @Test
    void metricsParseAsPrometheusTextAndTheirCountersMoveUnderLoad() throws Exception {
        assertThat(Path.of(PYTHON)).isExecutable();
        try (Gateway gw = new Gateway(Files.createDirectories(dir)).with("edgeport.demo.devices", 5).start()) {
            Console console = new Console(gw);
            console.awaitUp();
            assertThat(console.get("/dashboard/metrics", null).statusCode()).as("credentials needed").isEqualTo(401);
            await("5 clients").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> parse(console.get("/dashboard/metrics", console.admin()).body())
                            .getOrDefault("edgeport_clients_connected", 0.0) == 5.0);
            var first = console.get("/dashboard/metrics", console.admin());
            assertThat(first.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
            Map<String, Double> a = parse(first.body());
            AtomicReference<Map<String, Double>> later = new AtomicReference<>();
            await("the message and store counters moved under load").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500)).until(() -> {
                        later.set(parse(console.get("/dashboard/metrics", console.admin()).body()));
                        return moved(a, later.get(), "edgeport_messages_received_total")
                                && moved(a, later.get(), "edgeport_store_messages_total");
                    });
            Map<String, Double> b = later.get();
            assertThat(b.get("edgeport_broker_up")).isEqualTo(1.0);
            assertThat(b.get("edgeport_messages_received_total")).isGreaterThan(a.get("edgeport_messages_received_total"));
            assertThat(b.get("edgeport_store_messages_total")).isGreaterThan(a.get("edgeport_store_messages_total"));
            assertThat(b).containsKeys("edgeport_consumer_lag_bytes{consumer=sink-default}",
                    "edgeport_consumer_lag_bytes{consumer=alerting}", "edgeport_alarms_active{severity=critical}",
                    "edgeport_health_status{check=Message store}", "edgeport_retained_messages",
                    "edgeport_queued_messages");
            assertThat(b.get("edgeport_health_status{check=MQTT listeners}")).isEqualTo(0.0);
        }
    }

    private static boolean moved(Map<String, Double> before, Map<String, Double> after, String counter) {
        return before.containsKey(counter) && after.containsKey(counter) && after.get(counter) > before.get(counter);
    }
}
