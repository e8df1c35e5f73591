package io.edgeport.alerting.internal;

import static io.edgeport.alerting.internal.Fixtures.rule;
import static io.edgeport.alerting.internal.Fixtures.temp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import io.edgeport.alerting.webhook.internal.WebhookNotifier;

/**
 * The webhook notifier with the engine's durable outbox against a real HTTP server that is down for a while (and
 * answers 503 for a while), across an engine restart: every transition arrives exactly once, in order.
 */
class WebhookDeliveryTest {

    @TempDir
    Path dir;
    EngineFixture f;
    HttpServer server;
    NotifierDispatcher dispatcher;
    final List<String> received = new CopyOnWriteArrayList<>();
    final List<String> eventHeaders = new CopyOnWriteArrayList<>();
    final AtomicInteger unavailable = new AtomicInteger();

    @AfterEach
    void tearDown() {
        if (dispatcher != null) {
            dispatcher.close();
        }
        if (server != null) {
            server.stop(0);
        }
        if (f != null) {
            f.close();
        }
    }

    private void startServer(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            if (unavailable.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                ex.sendResponseHeaders(503, -1);
            } else {
                received.add(new String(body, StandardCharsets.UTF_8));
                eventHeaders.add(ex.getRequestHeaders().getFirst("X-Edgeport-Event"));
                ex.sendResponseHeaders(204, -1);
            }
            ex.close();
        });
        server.start();
    }

    private void startDispatcher(int port) throws Exception {
        WebhookNotifier hook = new WebhookNotifier(URI.create("http://127.0.0.1:" + port + "/hook"),
                Duration.ofSeconds(2), "");
        dispatcher = new NotifierDispatcher("webhook-test", "webhook-test", hook, f.engine.store(), 1_000).start();
        f.engine.onEvents(dispatcher::offer);
    }

    @Test
    void everyTransitionExactlyOnceAfterTheReceiverWasDown() throws Exception {
        f = new EngineFixture(dir);
        f.engine.putRule(rule("name", "t", "max", 50));
        startServer(0);
        int port = server.getAddress().getPort();
        startDispatcher(port);

        f.engine.readings(List.of(temp("d1", 60, 0)));
        NotifierDispatcher first = dispatcher;
        await("first raise delivered and recorded").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> first.delivered.get() == 1);

        server.stop(0); // the receiver goes down
        f.engine.readings(List.of(temp("d1", 20, 1), temp("d2", 70, 1)));
        f.engine.acknowledge(f.engine.active().get(0).id(), "alice");
        // ... and the gateway restarts while it is down
        dispatcher.close();
        f.restart();
        f.engine.putRule(rule("name", "t", "max", 50));
        f.engine.readings(List.of(temp("d2", 10, 2)));
        startDispatcher(port);

        unavailable.set(2); // back, but answering 503 twice first
        startServer(port);
        await("backlog delivered").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> received.size() == 5);
        await("nothing more than the backlog comes").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1))
                .pollInterval(Duration.ofMillis(10)).until(() -> received.size() == 5);
        assertThat(received).hasSize(5);
        assertThat(eventHeaders).doesNotHaveDuplicates();
        assertThat(received).extracting(s -> s.replaceAll(".*\"transition\":\"([a-z]+)\".*\"device\":\"(d\\d)\".*",
                "$1 $2")).containsExactly("raised d1", "cleared d1", "raised d2", "acknowledged d2", "cleared d2");
        assertThat(received.get(0)).startsWith("{\"event\":\"" + eventHeaders.get(0) + "\"");
    }

    /**
     * The one case HTTP cannot make exactly-once on the sender's side: the receiver processed a POST but its answer
     * was lost (it went down in between). The event comes again with the same id, which is what receivers
     * deduplicate on.
     */
    @Test
    void aLostAnswerRepeatsTheEventWithTheSameId() throws Exception {
        f = new EngineFixture(dir);
        f.engine.putRule(rule("name", "t", "max", 50));
        startServer(0);
        int port = server.getAddress().getPort();
        server.stop(0);
        HttpServer lost = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        AtomicInteger calls = new AtomicInteger();
        lost.createContext("/hook", ex -> {
            ex.getRequestBody().readAllBytes();
            eventHeaders.add(ex.getRequestHeaders().getFirst("X-Edgeport-Event"));
            if (calls.incrementAndGet() == 1) {
                ex.getResponseBody().close(); // processed, but the connection drops before any answer
                return;
            }
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        lost.start();
        try {
            startDispatcher(port);
            f.engine.readings(List.of(temp("d1", 60, 0)));
            await("delivered").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                    .until(() -> dispatcher.delivered.get() == 1);
            assertThat(eventHeaders).hasSize(2).containsOnly(f.engine.active().get(0).id() + ".raised");
        } finally {
            lost.stop(0);
        }
    }
}
