package io.edgeport.sink.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeport.api.store.MessageStore;
import io.edgeport.api.store.StoreStatistics;
import io.edgeport.api.telemetry.Reading;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** The console page with hand-made request/response fakes: JSON answers set their status, HTML is encoded. */
class TelemetryPageTest {

    @TempDir
    Path dir;
    private TelemetryPage page;
    private JdbcTelemetrySink sink;
    private final Map<String, String> headers = new HashMap<>();
    private Integer status;
    private StringWriter body;

    @BeforeEach
    void setUp() throws Exception {
        sink = new JdbcTelemetrySink(new JdbcStore(Configs.settings("jdbc:h2:file:" + dir.resolve("t"), "readings")));
        sink.store(List.of(new Reading("t", "<script>x</script>", "", "m'", 1.5, "", Configs.T0, 1)));
        page = new TelemetryPage();
        page.sinks = List.of(sink);
    }

    @AfterEach
    void tearDown() {
        sink.close();
    }

    private HttpServletRequest request(String pathInfo, Map<String, String> params) {
        Map<String, Object> attributes = new java.util.HashMap<>();
        jakarta.servlet.http.HttpSession session = (jakarta.servlet.http.HttpSession) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] { jakarta.servlet.http.HttpSession.class },
                (p, m, a) -> switch (m.getName()) {
                    case "getAttribute" -> attributes.get(a[0]);
                    case "setAttribute" -> attributes.put((String) a[0], a[1]);
                    case "removeAttribute" -> attributes.remove(a[0]);
                    default -> null;
                });
        return (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { HttpServletRequest.class }, (p, m, a) -> switch (m.getName()) {
                    case "getPathInfo" -> pathInfo;
                    case "getParameter" -> params.get(a[0]);
                    case "getSession" -> session;
                    default -> null;
                });
    }

    private HttpServletResponse response() {
        status = null;
        body = new StringWriter();
        PrintWriter w = new PrintWriter(body);
        return (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { HttpServletResponse.class }, (p, m, a) -> switch (m.getName()) {
                    case "getWriter" -> w;
                    case "setStatus" -> {
                        status = (Integer) a[0];
                        yield null;
                    }
                    case "setHeader", "addHeader", "setDateHeader", "setContentType", "setCharacterEncoding" -> {
                        headers.put(m.getName() + ":" + a[0], String.valueOf(a[a.length - 1]));
                        yield null;
                    }
                    default -> null;
                });
    }

    @Test
    void servesJsonWithAnExplicitStatus() throws Exception {
        page.doGet(request("/telemetry/devices.json", Map.of()), response());
        assertThat(status).as("the console renders its page unless a status is set").isEqualTo(200);
        assertThat(headers).containsEntry("setContentType:application/json", "application/json");
        assertThat(body.toString()).startsWith("[{\"device_id\":\"\\u003cscript\\u003ex\\u003c/script\\u003e\"");
        page.doGet(request("/telemetry/readings.json", Map.of("device", "x", "limit", "-5")), response());
        assertThat(status).isEqualTo(400);
        assertThat(body.toString()).isEqualTo("{\"error\":\"'limit' must be a number 1..10000\"}");
    }

    @Test
    void thePageEncodesWhatItShows() throws Exception {
        page.renderContent(request("/telemetry", Map.of()), response());
        String html = body.toString();
        // Inside attribute values a '<' starts no tag (the Remove button's confirm text holds the name as is).
        assertThat(html.replaceAll("=\"[^\"]*\"|='[^']*'", "=''")).doesNotContain("<script>");
        assertThat(html).contains("&lt;script&gt;x&lt;/script&gt;")
                .contains("m&#39;").contains("device=%3Cscript%3Ex%3C%2Fscript%3E").contains("1.5");
        page.sinks = List.of();
        page.renderContent(request("/telemetry", Map.of()), response());
        assertThat(body.toString()).contains("No JDBC sink is configured");
    }

    @Test
    void warnsWhenTheMessageStoreDroppedMessagesForRetentionAndShowsTheSinksPosition() throws Exception {
        page.renderContent(request(null, Map.of()), response());
        assertThat(body.toString()).doesNotContain("retention").doesNotContain("Message store:");

        StoreStatistics[] stats = { new StoreStatistics(1_000, 10, 0,
                List.of(new StoreStatistics.ConsumerPosition("sink-" + sink.name(), 400, 600, true))) };
        page.store = (MessageStore) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { MessageStore.class }, (p, m, a) -> m.getName().equals("statistics") ? stats[0] : null);
        page.renderContent(request(null, Map.of()), response());
        assertThat(body.toString()).doesNotContain("retention").contains("Message store: 600 bytes behind.");

        stats[0] = new StoreStatistics(1_000, 10, 4_211,
                List.of(new StoreStatistics.ConsumerPosition("sink-" + sink.name(), 1_000, 0, false)));
        page.renderContent(request(null, Map.of()), response());
        assertThat(body.toString()).contains("dropped 4,211 messages for its retention limits")
                .contains("Message store: up to date (not reading).");
    }
}
