package io.edgeport.commons.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;

import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/** A rejected configuration is shown as one WARN health check until a good one comes; the same problem once. */
class ConfigProblemsTest {

    /** What a BundleContext stub saw: registered checks and whether each was unregistered. */
    private final List<HealthCheck> registered = new ArrayList<>();
    private final List<Dictionary<String, ?>> properties = new ArrayList<>();
    private final List<Boolean> unregistered = new ArrayList<>();

    private BundleContext context() {
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {
            BundleContext.class }, (proxy, method, args) -> {
                if (method.getName().equals("registerService")) {
                    int index = registered.size();
                    registered.add((HealthCheck) args[1]);
                    @SuppressWarnings("unchecked")
                    Dictionary<String, ?> p = (Dictionary<String, ?>) args[2];
                    properties.add(p);
                    unregistered.add(false);
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {
                        ServiceRegistration.class }, (p2, m2, a2) -> {
                            if (m2.getName().equals("unregister")) {
                                unregistered.set(index, true);
                            }
                            return null;
                        });
                }
                throw new UnsupportedOperationException(method.getName());
            });
    }

    @Test
    void aRejectedConfigurationIsOneWarnCheckUntilAGoodOneComes() {
        ConfigProblems problems = new ConfigProblems(context(), "io.edgeport.sink.jdbc~archive", getClass());
        problems.rejected("url: not a JDBC URL", "the previous settings stay in force");
        assertThat(problems.current())
                .isEqualTo("io.edgeport.sink.jdbc~archive: url: not a JDBC URL (the previous settings stay in force)");
        assertThat(registered).hasSize(1);
        Result r = registered.get(0).execute();
        assertThat(r.getStatus()).isEqualTo(Result.Status.WARN);
        assertThat(r.toString()).contains("url: not a JDBC URL");
        assertThat(properties.get(0).get(HealthCheck.NAME)).isEqualTo("Configuration io.edgeport.sink.jdbc~archive");
        assertThat((String[]) properties.get(0).get(HealthCheck.TAGS)).contains(ConfigProblems.TAG);

        problems.rejected("url: not a JDBC URL", "the previous settings stay in force");
        assertThat(registered).as("the same problem is said once").hasSize(1);

        problems.rejected("batch_size: must be 1..10000", "the previous settings stay in force");
        assertThat(registered).as("a new problem replaces the check").hasSize(2);
        assertThat(unregistered.get(0)).isTrue();

        problems.accepted();
        assertThat(problems.current()).isNull();
        assertThat(unregistered.get(1)).as("fixed: the check is gone").isTrue();
    }

    @Test
    void withoutAFrameworkTheProblemIsOnlyLogged() {
        ConfigProblems problems = new ConfigProblems(null, "io.edgeport.telemetry", getClass());
        problems.rejected("topics: must name at least one topic filter", "not started");
        assertThat(problems.current()).startsWith("io.edgeport.telemetry: topics: ");
        assertThat(problems.line("topics", "x")).isEqualTo("io.edgeport.telemetry: topics: x");
        problems.close();
    }
}
