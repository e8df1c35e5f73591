package io.edgeport.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Hashtable;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.apache.felix.hc.api.Result;
import org.apache.felix.hc.api.execution.HealthCheckExecutionResult;
import org.apache.felix.hc.api.execution.HealthCheckExecutor;
import org.apache.felix.hc.api.execution.HealthCheckSelector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

import io.edgeport.api.features.FeatureInfo;
import io.edgeport.api.features.FeatureManager;
import io.edgeport.api.features.Outcome;

/**
 * Apache Felix Health Checks on a real Felix: the gateway's own checks (message store, listeners, alerting, a JDBC sink
 * whose database is unreachable) report what they should, and the feature manager rolls back an update whose health
 * check keeps failing, with the check's message in its answer.
 */
class HealthGateTest {

    static final BundleContext CONTEXT = FrameworkUtil.getBundle(HealthGateTest.class).getBundleContext();
    static final String NAME = "itest-sick";
    static final String BSN = "io.edgeport.itest.sick";
    static Configuration gate;

    /** A short gate: a failing health check is waited for up to this long before the rollback. */
    @BeforeAll
    static void shortGate() throws Exception {
        gate = admin().getConfiguration("io.edgeport.features", "?");
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("health.timeout.seconds", 4);
        gate.update(p);
        // The manager takes a changed configuration without a restart (@Modified); SCR then publishes it with the
        // service's properties.
        Await.until("the feature manager with the short gate", Duration.ofSeconds(15), () -> manager() != null
                && "4".equals(String.valueOf(manager().getProperty("health.timeout.seconds"))));
    }

    @AfterAll
    static void defaultGate() throws Exception {
        features().uninstall(NAME, true);
        gate.delete();
    }

    static ConfigurationAdmin admin() {
        return CONTEXT.getService(CONTEXT.getServiceReference(ConfigurationAdmin.class));
    }

    static ServiceReference<FeatureManager> manager() {
        return CONTEXT.getServiceReference(FeatureManager.class);
    }

    static FeatureManager features() {
        return CONTEXT.getService(manager());
    }

    static Map<String, Result> run(String tag) {
        ServiceTracker<HealthCheckExecutor, HealthCheckExecutor> t = new ServiceTracker<>(CONTEXT,
                HealthCheckExecutor.class, null);
        t.open();
        try {
            HealthCheckExecutor executor = t.waitForService(10_000);
            assertThat(executor).as("Felix HC executor").isNotNull();
            Map<String, Result> out = new TreeMap<>();
            for (HealthCheckExecutionResult r : executor.execute(HealthCheckSelector.tags(tag))) {
                out.put(r.getHealthCheckMetadata().getName(), r.getHealthCheckResult());
            }
            return out;
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        } finally {
            t.close();
        }
    }

    @Test
    void theGatewaysChecksReportTheStoreTheListenersAndTheAlertingEngine() throws Exception {
        Await.until("the gateway's health checks registered", Duration.ofSeconds(15),
                () -> run("edgeport").keySet().containsAll(java.util.List.of("Message store", "MQTT listeners",
                        "Alerting engine")));
        Map<String, Result> r = run("broker-core");
        assertThat(r).containsKeys("Message store", "MQTT listeners");
        assertThat(r.get("Message store").getStatus()).isEqualTo(Result.Status.OK);
        assertThat(r.get("MQTT listeners").getStatus()).isEqualTo(Result.Status.OK);
        assertThat(text(r.get("MQTT listeners"))).contains("TCP listener is bound");
        assertThat(run("alerting").get("Alerting engine").getStatus()).isEqualTo(Result.Status.OK);
    }

    @Test
    void aSinkWhoseDatabaseIsUnreachableIsCritical() throws Exception {
        // sink-jdbc is not in this framework; its check is tested through the telemetry pipeline's, which sees a
        // registered sink that fails every batch.
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("edgeport.sink.name", "itest-down");
        props.put("edgeport.sink.retry.max.ms", 200L);
        var reg = CONTEXT.registerService(io.edgeport.api.telemetry.TelemetrySink.class, batch -> {
            throw new java.sql.SQLException("Connection refused: 127.0.0.1:1");
        }, props);
        try {
            // Something to store, so that the sink is asked.
            var broker = CONTEXT.getService(CONTEXT.getServiceReference(io.edgeport.api.broker.BrokerService.class));
            Await.until("the failing sink's check critical", Duration.ofSeconds(15), () -> {
                broker.publish("sensors/hall/temperature/hc1/reading", "{\"value\":21.5}".getBytes(
                        StandardCharsets.UTF_8), 1, false);
                Result s = run("telemetry").get("Telemetry sinks");
                return s != null && s.getStatus() == Result.Status.CRITICAL;
            });
            Result s = run("telemetry").get("Telemetry sinks");
            assertThat(s.getStatus()).isEqualTo(Result.Status.CRITICAL);
            assertThat(text(s)).contains("Sink 'itest-down' fails").contains("Connection refused");
        } finally {
            reg.unregister();
        }
    }

    @Test
    void anUpdateWhoseHealthCheckFailsIsRolledBack() throws Exception {
        publish("1.0.0", false);
        Outcome o = features().install("io.edgeport.itest:" + NAME + ":1.0.0");
        assertThat(o.ok()).as(o.message()).isTrue();

        publish("1.1.0", true);
        o = features().install("io.edgeport.itest:" + NAME + ":1.1.0");
        assertThat(o.ok()).isFalse();
        assertThat(o.message()).contains("rolled back to 1.0.0")
                .contains("health check 'itest sick' is CRITICAL")
                .contains("this plugin's database is unreachable");
        assertThat(versions()).containsExactly("1.0.0");
        assertThat(features().installed()).filteredOn(f -> f.name().equals(NAME)).extracting(FeatureInfo::version)
                .containsExactly("1.0.0");
        assertThat(run("edgeport")).as("the sick check went with its bundle").doesNotContainKey("itest sick");
    }

    private static java.util.List<String> versions() {
        return java.util.Arrays.stream(CONTEXT.getBundles()).filter(b -> BSN.equals(b.getSymbolicName()))
                .map(b -> b.getVersion() + (b.getState() == Bundle.ACTIVE ? "" : " not active")).toList();
    }

    private static String text(Result r) {
        StringBuilder b = new StringBuilder();
        r.forEach(e -> b.append(e.getMessage()).append('\n'));
        return b.toString();
    }

    /** A feature of one bundle; {@code sick}: the bundle registers a health check that always fails. */
    private static void publish(String version, boolean sick) throws IOException {
        Path dir = Files.createDirectories(features().repository().resolve(NAME + "-" + version));
        Files.writeString(dir.resolve(NAME + ".json"), """
                { "feature-resource-version": "1.0", "id": "io.edgeport.itest:%s:%s",
                  "bundles": [ { "id": "io.edgeport.itest:%s:%s" } ] }
                """.formatted(NAME, version, BSN, version));
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", BSN);
        a.putValue("Bundle-Version", version);
        if (sick) {
            a.putValue("Import-Package", "org.apache.felix.hc.api;version=\"[2.0,3)\"");
            a.putValue("Service-Component", "OSGI-INF/sick.xml");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(out, m)) {
            if (sick) {
                jar.putNextEntry(new JarEntry("OSGI-INF/sick.xml"));
                jar.write(("<scr:component xmlns:scr='http://www.osgi.org/xmlns/scr/v1.3.0' name='sick'>"
                        + "<implementation class='io.edgeport.itest.sick.Sick'/>"
                        + "<property name='hc.name' value='itest sick'/>"
                        + "<service><provide interface='org.apache.felix.hc.api.HealthCheck'/></service>"
                        + "</scr:component>").getBytes(StandardCharsets.UTF_8));
                jar.closeEntry();
                jar.putNextEntry(new JarEntry("io/edgeport/itest/sick/Sick.class"));
                try (InputStream in = HealthGateTest.class.getResourceAsStream("/io/edgeport/itest/sick/Sick.class")) {
                    jar.write(in.readAllBytes());
                }
                jar.closeEntry();
            }
        }
        Files.write(dir.resolve(BSN + "-" + version + ".jar"), out.toByteArray());
    }
}
