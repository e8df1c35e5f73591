package io.edgeport.blackbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console's Plugins page in a real browser (headless Chromium driven by Selenium, the Debian packages
 * {@code chromium} and {@code chromium-driver}), as an operator clicks through it: upload a good feature, an update of
 * it that cannot resolve (rolled back, the previous version serves), a file that is no feature, then remove the
 * feature (the browser asks first; cancelling keeps it). Screenshots of each step go to
 * {@code target/screenshots/}.
 */
class BrowserTest {

    static final Path DRIVER = Path.of(System.getProperty("edgeport.test.chromedriver", "/usr/bin/chromedriver"));
    static final Path CHROMIUM = Path.of(System.getProperty("edgeport.test.chromium", "/usr/lib/chromium/chromium"));
    static final Path SHOTS = Path.of("target", "screenshots");

    final Path dir = Path.of("target", "browser-" + System.nanoTime());
    Gateway gw;
    WebDriver browser;
    int shot;

    @BeforeEach
    void browser() throws Exception {
        assertThat(DRIVER).as("chromedriver (Debian: apt-get install chromium chromium-driver)").isExecutable();
        assertThat(CHROMIUM).as("chromium (Debian: apt-get install chromium chromium-driver)").isExecutable();
        ChromeOptions options = new ChromeOptions();
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--window-size=1400,1100");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        Files.createDirectories(SHOTS);
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (gw != null) {
            gw.saveLog("browser");
            gw.close();
        }
    }

    private void start(Gateway g) throws Exception {
        gw = g.start();
        new Console(gw).awaitUp();
    }

    private void screenshot(String what) throws IOException {
        Path png = browser instanceof ChromeDriver c ? c.getScreenshotAs(OutputType.FILE).toPath() : null;
        if (png != null) {
            Files.copy(png, SHOTS.resolve(String.format("%02d-%s.png", ++shot, what)),
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** @return the browser console's warnings and errors since the last call (a page's script failures) */
    private List<String> consoleErrors() {
        return browser.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue())
                .map(e -> e.getLevel() + " " + e.getMessage()).toList();
    }

    /** Opens a console page as admin (HTTP Basic credentials in the URL: the browser keeps them for the origin). */
    private void open(String path, By waitFor) throws IOException {
        String password = URLEncoder.encode(gw.consolePassword(), StandardCharsets.UTF_8);
        browser.get(gw.consoleUrl(path).replace("http://", "http://admin:" + password + "@"));
        try {
            waiting().until(ExpectedConditions.presenceOfElementLocated(waitFor));
        } catch (org.openqa.selenium.TimeoutException e) {
            // What the browser shows instead (seen once in CI: the dashboard never appeared, the gateway log was clean)
            screenshot("failed-open");
            String source = browser.getPageSource();
            throw new AssertionError("the console page " + path + " did not show " + waitFor + "; the browser is at "
                    + browser.getCurrentUrl() + ", titled '" + browser.getTitle() + "', showing: "
                    + source.substring(0, Math.min(2000, source.length())), e);
        }
    }

    private WebDriverWait waiting() {
        return new WebDriverWait(browser, Duration.ofSeconds(60));
    }

    private void open() throws IOException {
        open("/edgeport-plugins", By.id("installed"));
    }

    /** Chooses {@code file} in the upload form, submits it and returns the outcome line that the page shows. */
    private String upload(Path file) {
        WebElement input = browser.findElement(By.cssSelector("#upload input[type=file]"));
        input.sendKeys(file.toAbsolutePath().toString());
        submit(browser.findElement(By.cssSelector("#upload button[type=submit]")));
        return outcome();
    }

    /** The page a form was submitted from (see {@link #submit}); null when none is pending. */
    private WebElement submittedFrom;

    /** Clicks a button that posts a form, remembering the page it posts from. */
    private void submit(WebElement button) {
        submittedFrom = browser.findElement(By.tagName("html"));
        button.click();
    }

    /**
     * The outcome line of the page the last {@link #submit} led to: first the page it was submitted from is gone
     * (that page may show an outcome line of its own, which would go stale under the test), then the new one's line.
     */
    private WebElement outcomeLine() {
        if (submittedFrom != null) {
            waiting().until(ExpectedConditions.stalenessOf(submittedFrom));
            submittedFrom = null;
        }
        return waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("outcome")));
    }

    private String outcome() {
        WebElement line = outcomeLine();
        return (line.getAttribute("class").contains("error") ? "ERROR " : "OK ") + line.getText();
    }

    private List<String> installedFeatures() {
        return browser.findElements(By.cssSelector("#installed tr[data-feature]")).stream()
                .map(r -> r.getAttribute("data-feature") + " " + r.findElements(By.tagName("td")).get(1).getText())
                .toList();
    }

    private static byte[] feature(String version, Map<String, String> headers) throws IOException {
        String json = """
                { "feature-resource-version": "1.0", "id": "io.edgeport.demo:browser-demo:%s",
                  "name": "Browser demo", "description": "A feature uploaded in the browser test",
                  "bundles": [ { "id": "io.edgeport.demo:io.edgeport.demo.plugin:%s" } ] }
                """.formatted(version, version);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("browser-demo.json"));
            z.write(json.getBytes(StandardCharsets.UTF_8));
            z.putNextEntry(new ZipEntry("io.edgeport.demo.plugin-" + version + ".jar"));
            z.write(Console.bundle("io.edgeport.demo.plugin", version, headers));
        }
        return out.toByteArray();
    }

    @Test
    void anOperatorUploadsAGoodFeatureABrokenUpdateAndAStrayFileThenRemovesTheFeature() throws Exception {
        Files.createDirectories(dir);
        Path good = Files.write(dir.resolve("browser-demo-1.0.0.zip"), feature("1.0.0", Map.of()));
        Path broken = Files.write(dir.resolve("browser-demo-1.1.0.zip"),
                feature("1.1.0", Map.of("Import-Package", "org.example.missing.dep")));
        Path stray = Files.writeString(dir.resolve("holiday-photos.zip"), "this is not an archive at all");
        start(new Gateway(dir));

        open();
        assertThat(browser.getTitle()).isEqualTo("Edgeport - Plugins");
        assertThat(installedFeatures()).contains("broker-core 0.1.0-SNAPSHOT", "telemetry 0.1.0-SNAPSHOT");
        screenshot("plugins-start");

        assertThat(upload(good)).startsWith("OK browser-demo 1.0.0 installed");
        assertThat(installedFeatures()).contains("browser-demo 1.0.0");
        screenshot("plugins-installed");

        String rolledBack = upload(broken);
        assertThat(rolledBack).startsWith("ERROR browser-demo 1.1.0 rolled back to 1.0.0")
                .contains("missing package org.example.missing.dep");
        assertThat(installedFeatures()).as("the previous version serves").contains("browser-demo 1.0.0");
        screenshot("plugins-rolled-back");

        String refused = upload(stray);
        assertThat(refused).startsWith("ERROR").contains("holiday-photos.zip").contains("not a feature archive");
        assertThat(browser.getPageSource()).doesNotContain("HTTP ERROR").doesNotContain("Exception");
        screenshot("plugins-stray-file");

        // Uninstall asks first: cancelling keeps the feature.
        By uninstall = By.cssSelector("#installed tr[data-feature='browser-demo'] button[type=submit]");
        submit(browser.findElement(uninstall));
        assertThat(waiting().until(ExpectedConditions.alertIsPresent()).getText())
                .contains("Remove the feature browser-demo");
        browser.switchTo().alert().dismiss();
        assertThat(installedFeatures()).contains("browser-demo 1.0.0");

        submit(browser.findElement(uninstall));
        waiting().until(ExpectedConditions.alertIsPresent()).accept();
        assertThat(outcome()).startsWith("OK browser-demo").contains("uninstalled");
        assertThat(installedFeatures()).noneMatch(f -> f.startsWith("browser-demo"));
        screenshot("plugins-uninstalled");

        assertThat(consoleErrors()).as("no script errors in the browser").isEmpty();
        assertThat(gw.log()).as("no stack trace in the gateway's log").doesNotContain("\tat ");
    }

    /**
     * The ACL editor: a bad line is refused with file:line and nothing changes; a good one is in force at once over
     * MQTT (a deny line for secret/#: a subscriber to # gets public/x but never secret/x).
     */
    @Test
    void anAclLineAddedInTheBrowserTakesEffectOverMqtt() throws Exception {
        start(new Gateway(Files.createDirectories(dir)));
        open("/edgeport-acl", By.cssSelector("form.acl-form textarea"));
        WebElement text = browser.findElement(By.cssSelector("form.acl-form textarea"));
        String original = text.getAttribute("value");
        assertThat(original).contains("pattern readwrite #");

        text.clear();
        text.sendKeys("topic deny secret/#\ntopic sideways x\n" + original);
        submit(browser.findElement(By.cssSelector("form.acl-form button[type=submit]")));
        WebElement outcome = outcomeLine();
        assertThat(outcome.getText()).startsWith("Not saved: ").contains("/data/acl:2:");
        assertThat(browser.findElement(By.cssSelector("form.acl-form textarea")).getAttribute("value"))
                .as("what was typed is kept to correct").contains("sideways");
        assertThat(Files.readString(dir.resolve("data/acl"))).isEqualTo(original);
        screenshot("acl-refused");

        text = browser.findElement(By.cssSelector("form.acl-form textarea"));
        text.clear();
        text.sendKeys("topic deny secret/#\n" + original);
        submit(browser.findElement(By.cssSelector("form.acl-form button[type=submit]")));
        outcome = outcomeLine();
        assertThat(outcome.getText()).startsWith("Saved ").contains("in force now");
        screenshot("acl-saved");

        String tcp = "tcp://127.0.0.1:" + gw.mqttPort;
        List<String> got = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        org.eclipse.paho.client.mqttv3.MqttClient sub = Clients.paho(tcp, "acl-sub", true);
        sub.subscribe("#", 1, (t, m) -> got.add(t));
        org.eclipse.paho.client.mqttv3.MqttClient pub = Clients.paho(tcp, "acl-pub", true);
        pub.publish("secret/x", "s".getBytes(StandardCharsets.UTF_8), 1, false);
        pub.publish("public/x", "p".getBytes(StandardCharsets.UTF_8), 1, false);
        await("public/x delivered").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> got.contains("public/x"));
        Clients.close(pub);
        Clients.close(sub);
        assertThat(got).doesNotContain("secret/x");
        assertThat(consoleErrors()).as("no script errors in the browser").isEmpty();
    }

    /**
     * The Clients page: a connected client is listed and disconnected (its Last Will goes out); the publish tool sends
     * a retained message, which the retained-messages list shows and deletes.
     */
    @Test
    void aClientIsDisconnectedAndARetainedMessagePublishedAndDeletedInTheBrowser() throws Exception {
        start(new Gateway(Files.createDirectories(dir)));
        String tcp = "tcp://127.0.0.1:" + gw.mqttPort;
        List<String> got = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        org.eclipse.paho.client.mqttv3.MqttClient watcher = Clients.paho(tcp, "watcher", true);
        watcher.subscribe("#", 1, (t, m) -> got.add(t + " " + new String(m.getPayload(), StandardCharsets.UTF_8)));
        org.eclipse.paho.client.mqttv3.MqttClient victim = new org.eclipse.paho.client.mqttv3.MqttClient(tcp,
                "victim", new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        org.eclipse.paho.client.mqttv3.MqttConnectOptions o = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
        o.setWill("status/victim/health", "offline".getBytes(StandardCharsets.UTF_8), 1, false);
        victim.connect(o);

        open("/edgeport-clients", By.id("publish"));
        assertThat(browser.findElements(By.cssSelector("#clients tr[data-client]"))).extracting(e -> e
                .getAttribute("data-client")).contains("victim", "watcher");
        submit(browser.findElement(By.cssSelector("#clients tr[data-client='victim'] button")));
        waiting().until(ExpectedConditions.alertIsPresent()).accept();
        WebElement outcome = outcomeLine();
        assertThat(outcome.getText()).isEqualTo("Disconnected victim.");
        await("the victim's Last Will").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> got.contains("status/victim/health offline"));
        assertThat(victim.isConnected()).isFalse();
        assertThat(browser.findElements(By.cssSelector("#clients tr[data-client='victim']"))).isEmpty();
        screenshot("clients-disconnected");

        browser.findElement(By.cssSelector("#publish input[name=topic]")).sendKeys("console/note");
        browser.findElement(By.cssSelector("#publish textarea[name=payload]")).sendKeys("hello from the console");
        browser.findElement(By.cssSelector("#publish input[name=retain]")).click();
        submit(browser.findElement(By.cssSelector("#publish button[type=submit]")));
        outcome = outcomeLine();
        assertThat(outcome.getText()).isEqualTo("Published 22 bytes to console/note (QoS 1, retained).");
        await("the published message").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> got.contains("console/note hello from the console"));
        assertThat(retained(tcp, "console/note")).containsExactly("hello from the console");

        open("/edgeport-clients?retained=console/%23", By.id("retained"));
        assertThat(browser.findElement(By.cssSelector("#retained tr[data-topic='console/note']")).getText())
                .contains("hello from the console");
        screenshot("clients-retained");
        submit(browser.findElement(By.cssSelector("#retained tr[data-topic='console/note'] button")));
        outcome = outcomeLine();
        assertThat(outcome.getText()).isEqualTo("Deleted the retained message of console/note.");
        assertThat(retained(tcp, "console/note")).as("no retained message any more").isEmpty();

        // The subscribe tool shows messages as they arrive.
        WebElement filter = browser.findElement(By.cssSelector("#watch input[name=filter]"));
        filter.clear();
        filter.sendKeys("live/#");
        browser.findElement(By.cssSelector("#watch button[type=submit]")).click();
        waiting().until(d -> d.findElement(By.id("watch-note")).getText().startsWith("watching live/#"));
        watcher.publish("live/x", "hi there".getBytes(StandardCharsets.UTF_8), 1, false);
        waiting().until(d -> d.findElement(By.id("watched")).getText().contains("live/x"));
        assertThat(browser.findElement(By.id("watched")).getText()).contains("hi there").contains("watcher");
        screenshot("clients-subscribe");
        Clients.close(watcher);
        assertThat(consoleErrors()).as("no script errors in the browser").isEmpty();
    }

    /**
     * Sessions: an offline persistent session collects QoS 1 messages; the dashboard counts them as queued, the Clients
     * page lists the session with its subscription and queue, and deletes it: the client's next CONNECT finds no
     * session and nothing of what was queued.
     */
    @Test
    void anOfflineSessionWithQueuedMessagesIsListedAndDeletedInTheBrowser() throws Exception {
        start(new Gateway(Files.createDirectories(dir)));
        String tcp = "tcp://127.0.0.1:" + gw.mqttPort;
        org.eclipse.paho.client.mqttv3.MqttClient night = Clients.paho(tcp, "night-shift", false);
        night.subscribe("plant/#", 1);
        Clients.close(night);
        org.eclipse.paho.client.mqttv3.MqttClient pub = Clients.paho(tcp, "day-shift", true);
        for (int i = 0; i < 4; i++) {
            pub.publish("plant/line" + i, ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false);
        }
        Clients.close(pub);

        open("/dashboard", By.id("ep-dashboard"));
        waiting().until(d -> "4".equals(d.findElement(By.id("ep-queued")).getText()));
        open("/edgeport-clients", By.id("sessions"));
        WebElement row = browser.findElement(By.cssSelector("#sessions tr[data-client='night-shift']"));
        assertThat(row.getText()).contains("offline").contains("persistent").contains("plant/# (QoS 1)");
        assertThat(row.findElement(By.cssSelector("td.queued")).getText()).isEqualTo("4");
        screenshot("clients-sessions");
        submit(row.findElement(By.cssSelector("button")));
        waiting().until(ExpectedConditions.alertIsPresent()).accept();
        WebElement outcome = outcomeLine();
        assertThat(outcome.getText()).isEqualTo("Deleted the session of night-shift.");
        assertThat(browser.findElements(By.cssSelector("#sessions tr[data-client='night-shift']"))).isEmpty();

        List<String> got = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        org.eclipse.paho.client.mqttv3.MqttClient again = new org.eclipse.paho.client.mqttv3.MqttClient(tcp,
                "night-shift", new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        again.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
                got.add(topic);
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
            }
        });
        org.eclipse.paho.client.mqttv3.MqttConnectOptions o = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
        o.setCleanSession(false);
        assertThat(again.connectWithResult(o).getSessionPresent()).as("session present").isFalse();
        again.subscribe("marker", 1);
        again.publish("marker", new byte[] {1}, 1, false);
        await("the marker").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> got.contains("marker"));
        assertThat(got).as("nothing that was queued for the deleted session").containsExactly("marker");
        Clients.close(again);
        assertThat(consoleErrors()).as("no script errors in the browser").isEmpty();
    }

    /**
     * @return the payloads of the retained messages a new subscriber to {@code topic} gets: they come right after the
     *         SUBACK, before a marker it publishes after that
     */
    private static List<String> retained(String tcp, String topic) throws Exception {
        List<String> out = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        org.eclipse.paho.client.mqttv3.MqttClient c = Clients.paho(tcp, "retained-reader", true);
        c.subscribe(topic, 1, (t, m) -> {
            if (m.isRetained()) {
                out.add(new String(m.getPayload(), StandardCharsets.UTF_8));
            }
        });
        java.util.concurrent.CountDownLatch marker = new java.util.concurrent.CountDownLatch(1);
        c.subscribe("retained-reader/marker", 1, (t, m) -> marker.countDown());
        c.publish("retained-reader/marker", new byte[] {1}, 1, false);
        assertThat(marker.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("the marker after the retained messages")
                .isTrue();
        Clients.close(c);
        return out;
    }

    /**
     * The Telemetry page: a chart of a device's readings draws and grows while the fleet publishes; a message that is
     * no reading is listed with its reason.
     */
    @Test
    void theTelemetryPageChartsADeviceAndListsRejectedMessages() throws Exception {
        start(new Gateway(Files.createDirectories(dir)).with("edgeport.demo.devices", 3));
        org.eclipse.paho.client.mqttv3.MqttClient c = Clients.paho("tcp://127.0.0.1:" + gw.mqttPort, "odd", true);
        c.publish("sensors/lab/temperature/odd-1/reading", "warm".getBytes(StandardCharsets.UTF_8), 1, false);
        Clients.close(c);
        Console console = new Console(gw);
        await("readings of the demo fleet stored").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> console.get("/telemetry/devices.json",
                        console.admin()).body().contains("sim-demo"));
        open("/telemetry", By.id("ep-chart-form"));
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.cssSelector("#ep-chart-form select[name=device]")))
                .selectByIndex(0);
        waiting().until(d -> !d.findElements(By.cssSelector("#ep-telemetry-chart canvas")).isEmpty());
        waiting().until(d -> d.findElement(By.id("ep-chart-note")).getText().matches("\\d+ readings of .*"));
        int first = Integer.parseInt(browser.findElement(By.id("ep-chart-note")).getText().split(" ")[0]);
        waiting().until(d -> Integer.parseInt(d.findElement(By.id("ep-chart-note")).getText().split(" ")[0]) > first);
        assertThat(browser.findElement(By.id("rejected")).getText()).contains("sensors/lab/temperature/odd-1/reading")
                .contains("not a JSON object or a number").contains("warm");
        screenshot("telemetry");

        // A one-off device is removed: its readings go, and its status says it stopped on purpose.
        org.eclipse.paho.client.mqttv3.MqttClient once = Clients.paho("tcp://127.0.0.1:" + gw.mqttPort, "once", true);
        once.publish("sensors/lab/temperature/one-off/reading", "20".getBytes(StandardCharsets.UTF_8), 1, false);
        Clients.close(once);
        await("the one-off reading stored").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> console.get("/telemetry/devices.json",
                        console.admin()).body().contains("\"one-off\""));
        open("/telemetry", By.id("devices"));
        submit(browser.findElement(By.xpath("//table[@id='devices']//tr[td/a[text()='one-off']]//button")));
        waiting().until(ExpectedConditions.alertIsPresent()).accept();
        WebElement outcome = outcomeLine();
        assertThat(outcome.getText()).startsWith("Removed one-off: 1 readings deleted; status 'stopped' published");
        assertThat(console.get("/telemetry/devices.json", console.admin()).body()).doesNotContain("\"one-off\"")
                .contains("sim-demo");
        assertThat(browser.findElement(By.id("devices")).getText()).doesNotContain("one-off");
        assertThat(consoleErrors()).as("no script errors in the browser").isEmpty();
    }

    /** Every Edgeport page and the stock pages an operator uses load under Edgeport's name without a script error. */
    @Test
    void everyPageLoadsWithoutScriptErrors() throws Exception {
        start(new Gateway(Files.createDirectories(dir)).with("edgeport.demo.devices", 2));
        Console console = new Console(gw);
        await("readings stored").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> console.get("/telemetry/devices.json", console.admin()).body()
                        .contains("sim-demo"));
        java.util.Map<String, String> pages = new java.util.LinkedHashMap<>();
        pages.put("/dashboard", "Dashboard");
        pages.put("/edgeport-clients", "Clients");
        pages.put("/alarms", "Alarms");
        pages.put("/telemetry", "Telemetry");
        pages.put("/edgeport-plugins", "Plugins");
        pages.put("/edgeport-users", "MQTT users");
        pages.put("/edgeport-acl", "MQTT ACL");
        pages.put("/healthcheck", "Health Check");
        pages.put("/bundles", "Bundles");
        pages.put("/components", "Components");
        pages.put("/configMgr", "Configuration");
        pages.put("/logs", "Log Service");
        List<String> problems = new java.util.ArrayList<>();
        for (var p : pages.entrySet()) {
            open(p.getKey(), By.id("navmenu"));
            waiting().until(d -> Boolean.TRUE.equals(((org.openqa.selenium.JavascriptExecutor) d).executeScript(
                    "return document.readyState === 'complete' && (!window.jQuery || jQuery.active === 0)")));
            if (!browser.getTitle().equals("Edgeport - " + p.getValue())) {
                problems.add(p.getKey() + ": title '" + browser.getTitle() + "'");
            }
            consoleErrors().stream().filter(e -> e.startsWith("SEVERE")).forEach(e -> problems.add(p.getKey() + ": "
                    + e));
        }
        assertThat(problems).isEmpty();
    }

    /** Two devices too hot: the Alarms page filters to one, which is acknowledged with its checkbox. */
    @Test
    void anAlarmIsFilteredAndAcknowledgedInTheBrowser() throws Exception {
        start(new Gateway(Files.createDirectories(dir)));
        org.eclipse.paho.client.mqttv3.MqttClient device = Clients.paho("tcp://127.0.0.1:" + gw.mqttPort,
                "hot-devices", true);
        Console console = new Console(gw);
        await("two temperature alarms").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    List<AlertingTest.Alarm> raised = AlertingTest.alarms(console, false);
                    if (raised.stream().filter(a -> a.device().startsWith("hot-")).count() == 2) {
                        return true;
                    }
                    // published again until the engine, which subscribes after the start, raised both
                    device.publish("sensors/lab/temperature/hot-1/reading", "61".getBytes(StandardCharsets.UTF_8), 1,
                            false);
                    device.publish("sensors/lab/temperature/hot-2/reading", "72".getBytes(StandardCharsets.UTF_8), 1,
                            false);
                    return false;
                });
        Clients.close(device);

        open("/alarms", By.id("filter"));
        assertThat(browser.findElements(By.cssSelector("#bulk tr[data-alarm]"))).hasSize(2);
        WebElement q = browser.findElement(By.cssSelector("#filter input[name=q]"));
        q.sendKeys("hot-1");
        browser.findElement(By.cssSelector("#filter button[type=submit]")).click();
        waiting().until(d -> d.findElements(By.cssSelector("#bulk tr[data-alarm]")).size() == 1);
        assertThat(browser.findElement(By.id("bulk")).getText()).contains("hot-1").doesNotContain("hot-2");
        screenshot("alarms-filtered");

        browser.findElement(By.cssSelector("#bulk input[type=checkbox][name=id]")).click();
        submit(browser.findElement(By.id("ack-selected")));
        WebElement flash = outcomeLine();
        assertThat(flash.getText()).isEqualTo("Acknowledged.");
        open("/alarms", By.id("filter"));
        assertThat(browser.findElement(By.cssSelector("#bulk tr[data-alarm]")).getText()).isNotEmpty();
        assertThat(AlertingTest.alarms(console, false)).filteredOn(a -> a.device().equals("hot-1"))
                .singleElement().satisfies(a -> assertThat(a.acknowledged()).isTrue());
        assertThat(AlertingTest.alarms(console, false)).filteredOn(a -> a.device().equals("hot-2"))
                .singleElement().satisfies(a -> assertThat(a.acknowledged()).isFalse());
        assertThat(browser.getPageSource()).contains("admin");
        screenshot("alarms-acknowledged");

        // hot-2 is cleared by hand (the browser asks first).
        submit(browser.findElement(By.xpath("//tr[td[text()='hot-2']]//button[@name='clearone']")));
        waiting().until(ExpectedConditions.alertIsPresent()).accept();
        flash = outcomeLine();
        assertThat(flash.getText()).isEqualTo("Cleared 1 of 1 alarm.");
        assertThat(AlertingTest.alarms(console, false)).noneMatch(a -> a.device().equals("hot-2"));
        assertThat(AlertingTest.alarms(console, true)).filteredOn(a -> a.device().equals("hot-2"))
                .singleElement().satisfies(a -> assertThat(a.state()).isEqualTo("cleared"));
        assertThat(consoleErrors()).as("no script errors in the browser").isEmpty();
    }

    /**
     * The console opens on the dashboard; with a fleet publishing its figures move and its charts draw; the page's
     * script reports no error.
     */
    @Test
    void theConsoleOpensOnTheDashboardWhoseFiguresMoveWhileAFleetPublishes() throws Exception {
        start(new Gateway(Files.createDirectories(dir)).with("edgeport.demo.devices", 8));
        open("/", By.id("ep-dashboard"));
        assertThat(browser.getCurrentUrl()).endsWith("/system/console/dashboard");
        assertThat(browser.getTitle()).isEqualTo("Edgeport - Dashboard");
        assertThat(browser.findElement(By.cssSelector("#lead img")).getAttribute("src")).endsWith("edgeport-logo.svg");
        assertThat(browser.getPageSource()).doesNotContain("Apache Felix Web Console");
        waiting().until(d -> "8".equals(d.findElement(By.id("ep-clients")).getText()));
        waiting().until(d -> !d.findElement(By.id("ep-in")).getText().matches("-|0"));
        String in = browser.findElement(By.id("ep-in")).getText();
        assertThat(Double.parseDouble(in.replace(",", ""))).as("messages in per second").isPositive();
        waiting().until(d -> !d.findElements(By.cssSelector("#ep-chart-rates canvas")).isEmpty());
        waiting().until(d -> d.findElements(By.cssSelector("#ep-consumers tbody tr")).size() >= 2);
        assertThat(browser.findElement(By.id("ep-consumers")).getText()).contains("sink-default").contains("alerting");
        waiting().until(d -> d.findElement(By.id("ep-health")).getText().equals("OK"));
        assertThat(browser.findElement(By.id("ep-checks")).getText()).contains("Message store")
                .contains("MQTT listeners").contains("Telemetry sinks");
        // The retained count moves with the fleet's statuses; uptime is shown.
        assertThat(browser.findElement(By.id("ep-uptime")).getText()).endsWith("min");
        // a few more samples on the chart for the screenshot: the page polls its figures every 2 s
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("window.epPolls = 0;"
                + " var open = XMLHttpRequest.prototype.open;"
                + " XMLHttpRequest.prototype.open = function () {"
                + " window.epPolls++; return open.apply(this, arguments); };");
        waiting().until(d -> ((Number) ((org.openqa.selenium.JavascriptExecutor) d).executeScript(
                "return window.epPolls")).intValue() >= 3);
        screenshot("dashboard");
        assertThat(consoleErrors()).as("no script errors in the browser").isEmpty();
    }
}
