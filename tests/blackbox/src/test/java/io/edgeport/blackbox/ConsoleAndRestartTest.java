package io.edgeport.blackbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hardened console, and what must survive a clean stop (SIGTERM) and start: retained messages, queued QoS 1
 * messages of a persistent session, configuration changed at runtime, bundles installed at runtime.
 */
class ConsoleAndRestartTest {

    @TempDir
    Path dir;
    Gateway gw;

    @AfterEach
    void stop(org.junit.jupiter.api.TestInfo test) {
        if (gw != null) {
            gw.saveLog("console-and-restart-" + test.getTestMethod().map(java.lang.reflect.Method::getName)
                    .orElse("test"));
            gw.close();
        }
    }

    @Test
    void consoleNeedsTheGeneratedPasswordNeverAdminAdmin() throws Exception {
        gw = new Gateway(dir).start();
        Console console = new Console(gw);
        console.awaitUp();
        assertThat(console.get("/bundles", null).statusCode()).isEqualTo(401);
        assertThat(console.get("/bundles", Console.basic("admin", "admin")).statusCode()).isEqualTo(401);
        HttpResponse<String> ok = console.get("/bundles", console.admin());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("io.edgeport.broker");
        Path pw = dir.resolve("data/console-password");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pw))).isEqualTo("rw-------");
        assertThat(gw.log()).contains(pw.toAbsolutePath().toString()).doesNotContain(gw.consolePassword());
    }

    /**
     * Issue 15: started with {@code -Dedgeport.broker.message_size_limit=2048}, the broker form showed the default
     * (1048576) and saving it after changing only sys_interval replaced the command line's value. Now the form shows
     * the running values with their source, and a save keeps only the changed key.
     */
    @Test
    void theBrokerFormShowsRunningValuesAndSavingOneKeyKeepsTheCommandLines() throws Exception {
        gw = new Gateway(dir).with("message_size_limit", 2048).start();
        Console console = new Console(gw);
        console.awaitUp();
        String form = console.postForm("/configMgr/io.edgeport.broker", Map.of()).body();
        Map<String, String> shown = new java.util.LinkedHashMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "\"([a-z_]+)\":\\{\"name\":\"[^\"]*\",\"optional\":[a-z]+,\"is_set\":[a-z]+,\"type\":[^,]+,"
                        + "\"value\":(\"[^\"]*\"|[^,}]+)").matcher(form);
        while (m.find()) {
            shown.put(m.group(1), m.group(2).replaceAll("^\"|\"$", ""));
        }
        assertThat(shown).as(form).containsEntry("message_size_limit", "2048")
                .containsEntry("port", Integer.toString(gw.mqttPort)).containsEntry("sys_interval", "10");
        assertThat(form).contains("from the command line, -Dedgeport.broker.message_size_limit");

        // Save as the console does: every field as shown, sys_interval changed.
        Map<String, String> post = new java.util.HashMap<>(shown);
        post.put("sys_interval", "5");
        post.put("apply", "true");
        post.put("action", "ajaxConfigManager");
        post.put("propertylist", String.join(",", shown.keySet()));
        assertThat(console.postForm("/configMgr/io.edgeport.broker", post).statusCode()).isLessThan(400);
        await("the redundant values dropped from the configuration").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> gw.log()
                        .contains("only repeated the command line or the default and are no longer stored"));
        String after = console.postForm("/configMgr/io.edgeport.broker", Map.of()).body();
        assertThat(after).contains("\"sys_interval\":{\"name\":\"sys_interval\",\"optional\":false,\"is_set\":true")
                .contains("\"message_size_limit\":{\"name\":\"message_size_limit\",\"optional\":false,"
                        + "\"is_set\":false");

        // The broker still runs on its port with the command line's limit: 2,000 bytes pass, 3,000 do not.
        String tcp = "tcp://127.0.0.1:" + gw.mqttPort;
        MqttClient c = Clients.paho(tcp, "form-check", true);
        c.publish("form/ok", new byte[2000], 1, false);
        assertThat(c.isConnected()).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.publish("form/big", new byte[3000], 1, false))
                .isInstanceOf(org.eclipse.paho.client.mqttv3.MqttException.class);
        Clients.close(c);
        assertThat(gw.log()).doesNotContain("\tat ");
    }

    @Test
    void acceptedStateSurvivesACleanRestart() throws Exception {
        gw = new Gateway(dir).start();
        String tcp = "tcp://127.0.0.1:" + gw.mqttPort;
        Console console = new Console(gw);

        // 1. A bundle installed at runtime through the console.
        HttpResponse<String> install = console.installBundle("hotplug.jar",
                Console.bundle("io.edgeport.test.hotplug", "1.0.0"));
        assertThat(install.statusCode()).isLessThan(400);
        assertThat(bundleState(console, "io.edgeport.test.hotplug")).isEqualTo("Active");

        // 2. A retained message and a persistent session with queued QoS 1 messages.
        MqttClient device = Clients.paho(tcp, "restart-pub", true);
        device.publish("site/config", "retained-v1".getBytes(StandardCharsets.UTF_8), 1, true);
        MqttClient offline = Clients.paho(tcp, "restart-sub", false);
        offline.subscribe("site/queue", 1);
        offline.disconnect();
        offline.close();
        for (int i = 0; i < 3; i++) {
            device.publish("site/queue", ("queued-" + i).getBytes(StandardCharsets.UTF_8), 1, false);
        }
        Clients.close(device);

        // 3. A configuration change made at runtime: the broker moves to another port.
        int newPort = Gateway.freePort();
        console.awaitUp();
        HttpResponse<String> cfg = console.postForm("/configMgr/io.edgeport.broker", Map.of("apply", "true",
                "action", "ajaxConfigManager", "propertylist", "port", "port", Integer.toString(newPort)));
        assertThat(cfg.statusCode()).isLessThan(400);
        awaitPort(newPort);

        assertThat(gw.stop()).isIn(0, Gateway.SIGTERM_EXIT);
        gw.start();

        String moved = "tcp://127.0.0.1:" + newPort;
        assertThat(gw.readyLine()).contains("mqtt://127.0.0.1:" + newPort);
        // After a restart the framework starts the persisted bundles while the console is already up: wait, bounded.
        await("the hot-plugged bundle active again").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(bundleState(console, "io.edgeport.test.hotplug")).isEqualTo("Active"));

        MqttClient late = Clients.paho(moved, "restart-late", true);
        try {
            CountDownLatch retained = new CountDownLatch(1);
            List<String> got = Collections.synchronizedList(new ArrayList<>());
            late.subscribe("site/config", 1, (t, m) -> {
                got.add(new String(m.getPayload(), StandardCharsets.UTF_8));
                retained.countDown();
            });
            assertThat(retained.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(got).containsExactly("retained-v1");
        } finally {
            Clients.close(late);
        }

        List<String> queued = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch three = new CountDownLatch(3);
        MqttClient back = new MqttClient(moved, "restart-sub", new MemoryPersistence());
        back.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage m) {
                queued.add(new String(m.getPayload(), StandardCharsets.UTF_8));
                three.countDown();
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        back.connect(o);
        try {
            assertThat(three.await(15, TimeUnit.SECONDS)).as("queued after restart: %s", queued).isTrue();
            assertThat(queued).containsExactly("queued-0", "queued-1", "queued-2");
        } finally {
            Clients.close(back);
        }
        assertThat(gw.stop()).isIn(0, Gateway.SIGTERM_EXIT);
    }

    private static String bundleState(Console console, String symbolicName) throws Exception {
        console.awaitUp();
        HttpResponse<String> r = console.get("/bundles.json", console.admin());
        assertThat(r.statusCode()).isEqualTo(200);
        String body = r.body();
        int at = body.indexOf("\"symbolicName\":\"" + symbolicName + "\"");
        if (at < 0) {
            return "missing";
        }
        int start = body.lastIndexOf('{', at);
        int end = body.indexOf('}', at);
        String entry = body.substring(start, end);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"state\":\"([A-Za-z]+)\"").matcher(entry);
        return m.find() ? m.group(1) : "unknown:" + entry;
    }

    private static void awaitPort(int port) {
        await("the broker moved to port " + port).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                        return true;
                    } catch (java.io.IOException notYet) {
                        return false;
                    }
                });
    }

    /**
     * System Information → Restart restarts the gateway in the same process (it used to end it: the launcher exits
     * with 122 on a framework update): the console answers again, MQTT works, and a retained message is still there.
     */
    @Test
    void restartFromTheConsoleRestartsTheGateway() throws Exception {
        gw = new Gateway(dir).start();
        Console console = new Console(gw);
        console.awaitUp();
        String tcp = "tcp://127.0.0.1:" + gw.mqttPort;
        MqttClient pub = Clients.paho(tcp, "restart-pub", true);
        pub.publish("restart/state", "kept".getBytes(StandardCharsets.UTF_8), 1, true);
        Clients.close(pub);

        HttpResponse<String> r = console.postForm("/vmstat", Map.of("action", "shutdown", "shutdown_type",
                "Restart"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("restarting");
        await("a second ready line").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> gw.log().split("Edgeport ready in", -1).length - 1 >= 2);
        assertThat(gw.isAlive()).as("the process is still running").isTrue();
        console.awaitUp();
        assertThat(console.get("/bundles", console.admin()).statusCode()).isEqualTo(200);

        MqttClient sub = Clients.paho(tcp, "restart-sub", true);
        CountDownLatch got = new CountDownLatch(1);
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        sub.subscribe("restart/state", 1, (t, m) -> {
            seen.add(new String(m.getPayload(), StandardCharsets.UTF_8));
            got.countDown();
        });
        assertThat(got.await(10, TimeUnit.SECONDS)).as("the retained message after the restart").isTrue();
        assertThat(seen).containsExactly("kept");
        Clients.close(sub);
        assertThat(gw.log()).contains("Restart requested from the web console");
        // Known gap (docs/known-gaps.md): a console request that arrives while the Web Console re-registers its servlet during
        // the restart gets a 500, and Felix HTTP logs it with a stack trace. Any other stack trace fails the test.
        assertThat(withoutServletRaces(gw.log())).doesNotContain("\tat ");
    }

    /** The log without Felix HTTP's report of a request that met a servlet being unregistered. */
    static String withoutServletRaces(String log) {
        StringBuilder out = new StringBuilder();
        boolean race = false;
        for (String line : log.split("\n", -1)) {
            if (line.contains("ERROR org.apache.felix.http - Exception while processing request")) {
                race = true;
                continue;
            }
            if (race && (line.startsWith("jakarta.servlet.ServletException: Servlet has been unregistered")
                    || line.startsWith("\t"))) {
                continue;
            }
            race = false;
            out.append(line).append('\n');
        }
        return out.toString();
    }
}
