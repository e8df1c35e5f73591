package io.edgeport.alerting.webhook.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.edgeport.api.alerting.AlarmEvent;
import io.edgeport.api.alerting.AlarmNotifier;
import io.edgeport.commons.alerting.AlarmJson;

/**
 * POSTs one event per call: body the event's JSON ({@link AlarmJson}), headers {@code Content-Type: application/json},
 * {@code X-Edgeport-Event} and {@code Idempotency-Key} (both the event id, so a receiver can drop the rare repeat
 * after a crash). A 2xx answer is success; anything else, a timeout or a refused connection throws, and the engine
 * offers the same event again after its back-off. Redirects are not followed (a POST would turn into a GET).
 * Thread-safe; the engine calls it from one thread.
 */
public final class WebhookNotifier implements AlarmNotifier {

    private final URI url;
    private final Duration timeout;
    private final String authorization;
    private final HttpClient client;

    /** @param authorization Authorization header value, or empty */
    public WebhookNotifier(URI url, Duration timeout, String authorization) {
        this.url = url;
        this.timeout = timeout;
        this.authorization = authorization == null ? "" : authorization;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public void notify(AlarmEvent event) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .header("X-Edgeport-Event", event.id()).header("Idempotency-Key", event.id())
                .POST(HttpRequest.BodyPublishers.ofString(AlarmJson.of(event), StandardCharsets.UTF_8));
        if (!authorization.isEmpty()) {
            b.header("Authorization", authorization);
        }
        HttpResponse<Void> r = client.send(b.build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() / 100 != 2) {
            throw new IOException("HTTP " + r.statusCode() + " from " + url.getHost());
        }
    }

    @Override
    public String toString() {
        return "webhook " + url.getScheme() + "://" + url.getAuthority() + url.getPath(); // no query: it may hold a key
    }
}
