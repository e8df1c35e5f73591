package io.edgeport.blackbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;

/**
 * The console's Plugins page on the exported gateway, as an operator uses it: features the gateway installed on its
 * first start, removed and installed again, across restarts, never duplicated; a broken update of a built-in plugin
 * rolled back with a readable reason while the old version serves; files that are no feature refused in plain words,
 * with no stack trace in the log.
 */
class PluginsTest {

    final Path dir = Path.of("target", "plugins-" + System.nanoTime());

    /** The page with a session (its CSRF token lives in the session). */
    static final class Page {
        final Console console;
        final Gateway gw;
        final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .connectTimeout(Duration.ofSeconds(10)).build();
        String token;

        Page(Gateway gw) {
            this.gw = gw;
            this.console = new Console(gw);
        }

        String get() throws Exception {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gw.consoleUrl("/edgeport-plugins")))
                    .header("Authorization", console.admin()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            Matcher m = Pattern.compile("name='csrf' value='([^']+)'").matcher(r.body());
            assertThat(m.find()).as("a CSRF token on the page").isTrue();
            token = m.group(1);
            return r.body();
        }

        /** Posts a form and returns the page it redirects to (the outcome line on top). */
        String post(Map<String, String> form) throws Exception {
            get();
            String body = form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                    + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"))
                    + "&csrf=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gw.consoleUrl("/edgeport-plugins")))
                    .header("Authorization", console.admin())
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .timeout(Duration.ofSeconds(90)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
            return outcome(get());
        }

        String upload(String fileName, byte[] content) throws Exception {
            get();
            String boundary = "----edgeport" + System.nanoTime();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (String[] f : new String[][] { { "csrf", token }, { "action", "upload" } }) {
                body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f[0]
                        + "\"\r\n\r\n" + f[1] + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"archive\"; filename=\""
                    + fileName + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            body.writeBytes(content);
            body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gw.consoleUrl("/edgeport-plugins")))
                    .header("Authorization", console.admin())
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .timeout(Duration.ofSeconds(90)).POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
            return outcome(get());
        }

        static String outcome(String page) {
            Matcher m = Pattern.compile("<p id='outcome' class='statline ([^']+)'>([^<]*)</p>").matcher(page);
            assertThat(m.find()).as("an outcome line on the page").isTrue();
            return (m.group(1).contains("error") ? "ERROR " : "OK ") + m.group(2).replace("&#39;", "'");
        }

        /** @return "symbolic-name state" of every bundle whose name starts with {@code prefix} */
        List<String> bundles(String prefix) throws Exception {
            String json = console.get("/bundles.json", console.admin()).body();
            List<String> out = new ArrayList<>();
            Matcher m = Pattern.compile("\\{[^{}]*\\}").matcher(json);
            while (m.find()) {
                Matcher bsn = Pattern.compile("\"symbolicName\":\"([^\"]*)\"").matcher(m.group());
                Matcher state = Pattern.compile("\"state\":\"([^\"]*)\"").matcher(m.group());
                if (bsn.find() && state.find() && bsn.group(1).startsWith(prefix)) {
                    out.add(bsn.group(1) + " " + state.group(1));
                }
            }
            return out;
        }
    }

    @Test
    void featuresComeAndGoAsUnitsAcrossRestartsAndBadUploadsAreRefused() throws Exception {
        try (Gateway gw = new Gateway(Files.createDirectories(dir))) {
            gw.start();
            Page page = new Page(gw);
            page.console.awaitUp();
            assertThat(page.bundles("io.edgeport.simulator")).as("installed on the first start")
                    .containsExactly("io.edgeport.simulator Active");

            assertThat(page.post(Map.of("action", "uninstall", "name", "simulator"))).startsWith("OK simulator")
                    .contains("uninstalled");
            assertThat(page.bundles("io.edgeport.simulator")).isEmpty();
            assertThat(page.bundles("org.eclipse.paho")).as("Paho is still used by alerting and telemetry")
                    .containsExactly("org.eclipse.paho.client.mqttv3 Active");

            gw.stop();
            gw.start();
            page.console.awaitUp();
            assertThat(page.bundles("io.edgeport.simulator")).as("an uninstall survives a restart").isEmpty();

            assertThat(page.post(Map.of("action", "install", "id", "io.edgeport:simulator:0.1.0-SNAPSHOT")))
                    .startsWith("OK simulator").contains("installed");
            gw.stop();
            gw.start();
            page.console.awaitUp();
            assertThat(page.bundles("io.edgeport.simulator")).as("one copy after reinstall and restart")
                    .containsExactly("io.edgeport.simulator Active");

            // A broken update of a built-in plugin: the webhook notifier 0.1.1 imports a package nobody exports.
            String broken = page.upload("alerting-0.1.1.zip", alertingUpdate("0.1.1", "org.example.missing.dep"));
            assertThat(broken).startsWith("ERROR alerting 0.1.1 rolled back to 0.1.0-SNAPSHOT")
                    .contains("missing package org.example.missing.dep");
            assertThat(page.bundles("io.edgeport.alerting.webhook")).as("the previous version serves again")
                    .containsExactly("io.edgeport.alerting.webhook Active");

            assertThat(page.upload("notes.jar", "not a jar".getBytes(StandardCharsets.UTF_8)))
                    .isEqualTo("ERROR notes.jar is not a feature archive (a .zip with a feature JSON and its bundle"
                            + " jars)");
            assertThat(page.upload("lone.jar", jar("io.edgeport.test.lone", "1.0.0", null)))
                    .startsWith("ERROR lone.jar is a single bundle (io.edgeport.test.lone 1.0.0), not a feature");
            assertThat(page.upload("random.zip", new byte[] { 'P', 'K', 3, 4, 1, 2, 3 })).startsWith("ERROR");
            // The stock Bundles -> Install/Update with a file that is no bundle: a readable page, not a 500.
            HttpResponse<String> stock = page.console.installBundle("notes.jar",
                    "not a jar".getBytes(StandardCharsets.UTF_8));
            assertThat(stock.statusCode()).isEqualTo(400);
            assertThat(stock.body()).contains("notes.jar is not an OSGi bundle").contains("Plugins");
            // ... nor does it uninstall the broker core with one click.
            Matcher api = Pattern.compile("\\{\"id\":(\\d+)[^}]*\"symbolicName\":\"io.edgeport.broker\"")
                    .matcher(page.console.get("/bundles.json", page.console.admin()).body());
            assertThat(api.find()).isTrue();
            HttpResponse<String> uninstall = page.console.postForm("/bundles/" + api.group(1),
                    Map.of("action", "uninstall"));
            assertThat(uninstall.statusCode()).isEqualTo(409);
            assertThat(page.bundles("io.edgeport.broker")).contains("io.edgeport.broker Active");

            assertThat(gw.log()).as("no stack trace in the gateway's log").doesNotContain("\tat ");
            gw.saveLog("plugins");
        }
    }

    /**
     * Health-gated updates under load: a fleet publishes readings into the default sink while an update of the
     * alerting feature that cannot resolve, one whose component throws in activate and one whose health check fails
     * are each rolled back; the previous webhook serves again, a subscriber stays connected, and every reading the
     * fleet published is stored exactly once.
     */
    @Test
    void brokenUpdatesUnderLoadAreRolledBackAndLoseNothing() throws Exception {
        try (Gateway gw = new Gateway(Files.createDirectories(dir)).start();
                Telemetry.Observer observer = new Telemetry.Observer(gw.mqttPort)) {
            Page page = new Page(gw);
            page.console.awaitUp();
            // A shorter health gate than the default 30 s: a failing health check is waited out that long.
            HttpResponse<String> cfg = page.console.postForm("/configMgr/io.edgeport.features", Map.of("apply",
                    "true", "action", "ajaxConfigManager", "propertylist", "health.timeout.seconds",
                    "health.timeout.seconds", "8"));
            assertThat(cfg.statusCode()).isLessThan(400);
            await("the feature manager's new timeout").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200)).until(() -> gw.log().contains("health timeout 8 s"));
            TelemetryTest.awaitSinkSubscribed(observer, () -> !Telemetry.stored(page.console, "default", "probe")
                    .isEmpty());
            String pid = TelemetryTest.fleet(page.console, "plug");
            await("300 readings published").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> observer.distinct() >= 300);

            String unresolvable = page.upload("alerting-0.1.1.zip", alertingUpdate("0.1.1",
                    "org.example.missing.dep"));
            assertThat(unresolvable).startsWith("ERROR alerting 0.1.1 rolled back to 0.1.0-SNAPSHOT")
                    .contains("missing package org.example.missing.dep");
            long at = observer.distinct();
            await("300 more readings published").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> observer.distinct() >= at + 300);

            String throwing = page.upload("alerting-0.1.2.zip", alertingUpdate("0.1.2", null));
            assertThat(throwing).startsWith("ERROR alerting 0.1.2 rolled back to 0.1.0-SNAPSHOT")
                    .contains("failed to activate").contains("boom");
            assertThat(page.bundles("io.edgeport.alerting.webhook")).as("the previous version serves again")
                    .containsExactly("io.edgeport.alerting.webhook Active");
            long at2 = observer.distinct();
            await("300 more readings published").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> observer.distinct() >= at2 + 300);

            String sick = page.upload("alerting-0.1.3.zip", alertingUpdate("0.1.3", "sick"));
            assertThat(sick).startsWith("ERROR alerting 0.1.3 rolled back to 0.1.0-SNAPSHOT")
                    .contains("health check 'webhook reachable' is CRITICAL")
                    .contains("the webhook endpoint is unreachable");
            assertThat(page.bundles("io.edgeport.alerting.webhook")).as("the previous version serves again")
                    .containsExactly("io.edgeport.alerting.webhook Active");
            long at3 = observer.distinct();
            await("300 more readings published").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> observer.distinct() >= at3 + 300);

            TelemetryTest.stopFleet(page.console, pid, observer);
            TelemetryTest.assertH2HoldsExactly(page.console, TelemetryTest.fleetReadings(observer));
            assertThat(observer.lost.get()).as("the subscriber's connection was never lost").isZero();
            assertThat(gw.log()).as("no stack trace in the gateway's log").doesNotContain("\tat ");
            gw.saveLog("plugins-under-load");
        }
    }

    /**
     * The alerting feature in {@code version} whose webhook bundle imports {@code missing}, or, when that is null, has
     * a component that throws in activate, or, when it is "sick", registers a health check that always fails.
     */
    private static byte[] alertingUpdate(String version, String missing) throws IOException {
        String json = """
                {
                  "feature-resource-version": "1.0",
                  "id": "io.edgeport:alerting:osgifeature:%s",
                  "name": "Edgeport alerting",
                  "bundles": [
                    { "id": "io.edgeport:io.edgeport.alerting:0.1.0-SNAPSHOT" },
                    { "id": "io.edgeport:io.edgeport.alerting.mqtt:0.1.0-SNAPSHOT" },
                    { "id": "io.edgeport:io.edgeport.alerting.webhook:%s" },
                    { "id": "com.h2database:h2:2.5.252" },
                    { "id": "org.eclipse.paho:org.eclipse.paho.client.mqttv3:1.2.5" }
                  ]
                }
                """.formatted(version, version);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("alerting.json"));
            z.write(json.getBytes(StandardCharsets.UTF_8));
            z.putNextEntry(new ZipEntry("io.edgeport.alerting.webhook-" + version + ".jar"));
            z.write("sick".equals(missing) ? sickJar("io.edgeport.alerting.webhook", version)
                    : missing != null ? jar("io.edgeport.alerting.webhook", version, missing)
                    : boomJar("io.edgeport.alerting.webhook", version));
        }
        return out.toByteArray();
    }

    /** A bundle with one immediate DS component, {@link io.edgeport.blackbox.boom.Boom}, that throws in activate. */
    private static byte[] boomJar(String bsn, String version) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", bsn);
        a.putValue("Bundle-Version", version);
        a.putValue("Service-Component", "OSGI-INF/boom.xml");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarOutputStream j = new JarOutputStream(out, m)) {
            j.putNextEntry(new java.util.jar.JarEntry("OSGI-INF/boom.xml"));
            j.write(("<scr:component xmlns:scr='http://www.osgi.org/xmlns/scr/v1.3.0' name='boom' immediate='true'>"
                    + "<implementation class='io.edgeport.blackbox.boom.Boom'/></scr:component>")
                    .getBytes(StandardCharsets.UTF_8));
            j.putNextEntry(new java.util.jar.JarEntry("io/edgeport/blackbox/boom/Boom.class"));
            try (java.io.InputStream in = PluginsTest.class.getResourceAsStream("boom/Boom.class")) {
                j.write(in.readAllBytes());
            }
        }
        return out.toByteArray();
    }

    /** A bundle with one DS component, {@link io.edgeport.blackbox.boom.Sick}: a health check that always fails. */
    private static byte[] sickJar(String bsn, String version) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", bsn);
        a.putValue("Bundle-Version", version);
        a.putValue("Import-Package", "org.apache.felix.hc.api;version=\"[2.0,3)\"");
        a.putValue("Service-Component", "OSGI-INF/sick.xml");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarOutputStream j = new JarOutputStream(out, m)) {
            j.putNextEntry(new java.util.jar.JarEntry("OSGI-INF/sick.xml"));
            j.write(("<scr:component xmlns:scr='http://www.osgi.org/xmlns/scr/v1.3.0' name='sick'>"
                    + "<implementation class='io.edgeport.blackbox.boom.Sick'/>"
                    + "<property name='hc.name' value='webhook reachable'/>"
                    + "<service><provide interface='org.apache.felix.hc.api.HealthCheck'/></service>"
                    + "</scr:component>").getBytes(StandardCharsets.UTF_8));
            j.putNextEntry(new java.util.jar.JarEntry("io/edgeport/blackbox/boom/Sick.class"));
            try (java.io.InputStream in = PluginsTest.class.getResourceAsStream("boom/Sick.class")) {
                j.write(in.readAllBytes());
            }
        }
        return out.toByteArray();
    }

    private static byte[] jar(String bsn, String version, String imports) throws IOException {
        return Console.bundle(bsn, version, imports == null ? Map.of() : Map.of("Import-Package", imports));
    }
}
