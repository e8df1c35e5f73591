package io.edgeport.sink.jdbc.internal;

import static io.edgeport.sink.jdbc.internal.Configs.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

import io.edgeport.api.telemetry.TelemetrySink;

/** Registration by hand: what is registered, with which properties, and when it goes away. */
class JdbcSinkComponentTest {

    /** One registerService call. */
    record Registered(List<String> classes, Object service, Dictionary<String, ?> properties) {
    }

    @TempDir
    Path dir;
    private final List<Registered> live = new ArrayList<>();

    private BundleContext context() {
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { BundleContext.class },
                (p, m, a) -> switch (m.getName()) {
                    case "getProperty" -> SinkSettings.DATA_DIR_PROPERTY.equals(a[0]) ? dir.toString() : null;
                    case "registerService" -> {
                        @SuppressWarnings("unchecked")
                        Registered r = new Registered(a[0] instanceof Class<?> c ? List.of(c.getName())
                                : List.of((String[]) a[0]), a[1], (Dictionary<String, ?>) a[2]);
                        live.add(r);
                        yield Proxy.newProxyInstance(getClass().getClassLoader(),
                                new Class<?>[] { ServiceRegistration.class }, (p2, m2, a2) -> {
                                    if (m2.getName().equals("unregister")) {
                                        if (!live.remove(r)) {
                                            throw new IllegalStateException("already unregistered");
                                        }
                                    }
                                    return null;
                                });
                    }
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    private List<Registered> sinks() {
        return live.stream().filter(r -> r.classes().contains(TelemetrySink.class.getName())).toList();
    }

    /** The sink's one health check registered now, run. */
    private org.apache.felix.hc.api.Result health() {
        return check("JDBC sink ");
    }

    /** The one health check registered now whose name starts with {@code prefix}, run; null when there is none. */
    private org.apache.felix.hc.api.Result check(String prefix) {
        List<Registered> checks = live.stream()
                .filter(r -> r.classes().contains(org.apache.felix.hc.api.HealthCheck.class.getName()))
                .filter(r -> String.valueOf(r.properties().get(org.apache.felix.hc.api.HealthCheck.NAME))
                        .startsWith(prefix)).toList();
        assertThat(checks).hasSizeLessThanOrEqualTo(1);
        return checks.isEmpty() ? null : ((org.apache.felix.hc.api.HealthCheck) checks.get(0).service()).execute();
    }

    @Test
    void registersTheSinkWithItsPropertiesAndStoresIntoTheDataDirectory() throws Exception {
        JdbcSinkComponent c = new JdbcSinkComponent(context(), config(Map.of("name", "main", "batch.size", 500,
                "topics", new String[] { "site/#" })));
        assertThat(sinks()).hasSize(1);
        Registered r = sinks().get(0);
        assertThat(r.classes()).containsExactly(TelemetrySink.class.getName(), JdbcTelemetrySink.class.getName());
        assertThat(r.properties().get(TelemetrySink.NAME)).isEqualTo("main");
        assertThat(r.properties().get(TelemetrySink.BATCH_SIZE)).isEqualTo(500);
        assertThat(r.properties().get(TelemetrySink.FLUSH_MS)).isEqualTo(50L);
        assertThat(r.properties().get(TelemetrySink.RETRY_MAX_MS)).isEqualTo(30000L);
        assertThat((String[]) r.properties().get(TelemetrySink.TOPICS)).containsExactly("site/#");
        ((TelemetrySink) r.service()).store(Configs.readings("d1", 0, 3));
        assertThat(dir.resolve("telemetry.mv.db")).exists();
        assertThat(health().getStatus()).as("its database answers").isEqualTo(org.apache.felix.hc.api.Result.Status.OK);
        c.deactivate();
        assertThat(live).isEmpty();
        assertThatThrownBy(() -> ((TelemetrySink) r.service()).store(Configs.readings("d1", 0, 3)))
                .hasMessageContaining("closed");
    }

    @Test
    void anInvalidConfigurationRegistersNothingUntilItIsFixed() {
        JdbcSinkComponent c = new JdbcSinkComponent(context(), config(Map.of("table", "bad-name")));
        assertThat(sinks()).isEmpty();
        assertThat(health().getStatus()).isEqualTo(org.apache.felix.hc.api.Result.Status.CRITICAL);
        assertThat(health().toString()).contains("Configuration not used").contains("table");
        assertThat(check("Configuration ").getStatus()).isEqualTo(org.apache.felix.hc.api.Result.Status.WARN);
        c.modified(config(Map.of()));
        assertThat(sinks()).hasSize(1);
        assertThat(check("Configuration ")).as("fixed: the problem is gone").isNull();
        c.deactivate();
        assertThat(live).isEmpty();
    }

    @Test
    void aBrokenUpdateKeepsTheSinkServingWithItsLastGoodSettings() throws Exception {
        JdbcSinkComponent c = new JdbcSinkComponent(context(), config(Map.of("batch.size", 500)));
        Object running = sinks().get(0).service();
        c.modified(config(Map.of("batch.size", 0)));
        assertThat(sinks()).as("the last good sink still serves").hasSize(1);
        assertThat(sinks().get(0).service()).isSameAs(running);
        assertThat(sinks().get(0).properties().get(TelemetrySink.BATCH_SIZE)).isEqualTo(500);
        ((TelemetrySink) running).store(Configs.readings("d1", 0, 3));
        org.apache.felix.hc.api.Result problem = check("Configuration io.edgeport.sink.jdbc~");
        assertThat(problem.getStatus()).isEqualTo(org.apache.felix.hc.api.Result.Status.WARN);
        assertThat(problem.toString()).contains("batch").contains("previous settings");
        assertThat(health().getStatus()).as("the running sink is healthy").isEqualTo(
                org.apache.felix.hc.api.Result.Status.OK);
        c.modified(config(Map.of("batch.size", 500)));
        assertThat(check("Configuration ")).as("a good update clears the problem").isNull();
        c.deactivate();
        assertThat(live).isEmpty();
    }

    @Test
    void anUpdateReplacesTheRegistration() {
        JdbcSinkComponent c = new JdbcSinkComponent(context(), config(Map.of()));
        Object first = sinks().get(0).service();
        c.modified(config(Map.of()));
        assertThat(sinks()).hasSize(1);
        assertThat(sinks().get(0).service()).as("nothing changed, nothing re-registered").isSameAs(first);
        c.modified(config(Map.of("flush.ms", 5L)));
        assertThat(sinks()).hasSize(1);
        assertThat(sinks().get(0).service()).isNotSameAs(first);
        assertThat(sinks().get(0).properties().get(TelemetrySink.FLUSH_MS)).isEqualTo(5L);
        c.deactivate();
        assertThat(live).isEmpty();
    }
}
