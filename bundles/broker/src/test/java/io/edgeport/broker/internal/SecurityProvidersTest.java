package io.edgeport.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

import io.edgeport.api.auth.Authenticator;
import io.edgeport.api.auth.Authorizer;

/**
 * Which configured security providers the broker waits for, against a hand-made framework: ConfigAdmin
 * configurations, DS component descriptions and instances, registered services and what the broker has bound.
 */
class SecurityProvidersTest {

    private static final String PASSWD = "io.edgeport.auth.passwd";
    private static final String DEFAULT_REALM = PASSWD + "~default";

    private int frameworkState = Bundle.ACTIVE;
    private boolean launcherReady = true;
    private final List<ComponentDescriptionDTO> descriptions = new ArrayList<>();
    private final Map<String, List<ComponentConfigurationDTO>> instances = new HashMap<>();
    private final List<Map<String, Object>> configurations = new ArrayList<>();
    /** component.id → the provider object its service hands out. */
    private final Map<Long, Object> services = new HashMap<>();
    private final Set<Object> bound = new HashSet<>();
    private final Object realm = new Object();

    private SecurityProviders probe(String signal) {
        return new SecurityProviders(context(), signal, this::scr, this::configAdmin, bound::contains);
    }

    private void passwdRealmDescribed() {
        descriptions.add(description("passwd", PASSWD, Authenticator.class.getName()));
    }

    private void defaultRealmConfigured() {
        configurations.add(Map.of("service.pid", DEFAULT_REALM, "service.factoryPid", PASSWD));
    }

    private void defaultRealmInstance(int state) {
        ComponentConfigurationDTO i = new ComponentConfigurationDTO();
        i.id = 7;
        i.state = state;
        i.properties = Map.of("service.pid", DEFAULT_REALM, "service.factoryPid", PASSWD);
        instances.put("passwd", List.of(i));
        if (state == ComponentConfigurationDTO.SATISFIED || state == ComponentConfigurationDTO.ACTIVE) {
            services.put(7L, realm);
        }
    }

    @Test
    void nothingIsCheckedBeforeTheStartIsOver() {
        passwdRealmDescribed();
        frameworkState = Bundle.STARTING;
        assertThat(probe(null).check().startupFinished()).isFalse();

        frameworkState = Bundle.ACTIVE;
        launcherReady = false;
        assertThat(probe("(launcher.ready=true)").check().startupFinished()).isFalse();
        assertThat(probe(null).check().startupFinished()).as("no signal configured: the framework decides").isTrue();

        launcherReady = true;
        assertThat(probe("(launcher.ready=true)").check().ready()).isTrue();
    }

    @Test
    void aConfiguredRealmIsWaitedForUntilItsServiceIsBoundToTheBroker() {
        passwdRealmDescribed();
        defaultRealmConfigured();
        SecurityProviders p = probe(null);
        assertThat(p.check().providers()).as("configuration not yet seen by DS")
                .containsExactly("passwd (" + DEFAULT_REALM + ")");

        defaultRealmInstance(ComponentConfigurationDTO.UNSATISFIED_REFERENCE);
        assertThat(p.check().ready()).isFalse();

        defaultRealmInstance(ComponentConfigurationDTO.ACTIVE);
        assertThat(p.check().ready()).as("registered, not yet in the broker's list").isFalse();

        bound.add(realm);
        assertThat(p.check().ready()).isTrue();
        assertThat(p.check().inPlace()).containsExactly("passwd (" + DEFAULT_REALM + ")");
    }

    @Test
    void aRealmThatFailedToActivateIsNotWaitedFor() {
        passwdRealmDescribed();
        defaultRealmConfigured();
        defaultRealmInstance(ComponentConfigurationDTO.FAILED_ACTIVATION);
        assertThat(probe(null).check().ready()).isTrue();
    }

    @Test
    void onlyConfiguredSecurityProvidersCount() {
        passwdRealmDescribed(); // installed, but no configuration: nothing to wait for
        descriptions.add(description("sink", "io.edgeport.sink.jdbc", "io.edgeport.api.telemetry.TelemetrySink"));
        configurations.add(Map.of("service.pid", "io.edgeport.sink.jdbc~default", "service.factoryPid",
                "io.edgeport.sink.jdbc"));
        assertThat(probe(null).check().ready()).isTrue();
    }

    @Test
    void anAuthorizerCountsLikeAnAuthenticator() {
        descriptions.add(description("acl", "io.edgeport.auth.acl", Authorizer.class.getName()));
        configurations.add(Map.of("service.pid", "io.edgeport.auth.acl~default", "service.factoryPid",
                "io.edgeport.auth.acl"));
        assertThat(probe(null).check().providers()).containsExactly("acl (io.edgeport.auth.acl~default)");
    }

    private static ComponentDescriptionDTO description(String name, String pid, String service) {
        ComponentDescriptionDTO d = new ComponentDescriptionDTO();
        d.name = name;
        d.configurationPid = new String[] {pid};
        d.configurationPolicy = "require";
        d.serviceInterfaces = new String[] {service};
        return d;
    }

    // --- the hand-made framework -------------------------------------------------------------------------------

    private ServiceComponentRuntime scr() {
        return fake(ServiceComponentRuntime.class, Map.of(
                "getComponentDescriptionDTOs", a -> List.copyOf(descriptions),
                "getComponentConfigurationDTOs", a -> instances.getOrDefault(((ComponentDescriptionDTO) a[0]).name,
                        List.of()),
                "isComponentEnabled", a -> true));
    }

    private ConfigurationAdmin configAdmin() {
        return fake(ConfigurationAdmin.class, Map.of("listConfigurations", a -> {
            List<Configuration> found = new ArrayList<>();
            for (Map<String, Object> c : configurations) {
                if (filter((String) a[0]).matches(c)) {
                    found.add(fake(Configuration.class, Map.of("getPid", x -> c.get("service.pid"))));
                }
            }
            return found.isEmpty() ? null : found.toArray(new Configuration[0]);
        }));
    }

    private BundleContext context() {
        Bundle system = fake(Bundle.class, Map.of("getState", a -> frameworkState));
        Map<String, Function<Object[], Object>> m = new HashMap<>();
        m.put("getBundle", a -> system);
        m.put("getAllServiceReferences", a -> launcherReady
                && filter((String) a[1]).matches(Map.of("launcher.ready", "true"))
                        ? new ServiceReference<?>[] {fake(ServiceReference.class, Map.of())} : null);
        m.put("getServiceReferences", a -> {
            for (Map.Entry<Long, Object> s : services.entrySet()) {
                if (filter((String) a[1]).matches(Map.of("component.id", s.getKey()))) {
                    Object service = s.getValue();
                    return new ServiceReference<?>[] {fake(ServiceReference.class, Map.of("getProperty",
                            x -> service))};
                }
            }
            return null;
        });
        m.put("getService", a -> ((ServiceReference<?>) a[0]).getProperty("the service"));
        m.put("ungetService", a -> true);
        return fake(BundleContext.class, m);
    }

    private static org.osgi.framework.Filter filter(String f) {
        try {
            return FrameworkUtil.createFilter(f);
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T fake(Class<T> type, Map<String, Function<Object[], Object>> methods) {
        return (T) Proxy.newProxyInstance(SecurityProvidersTest.class.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> {
                    Function<Object[], Object> f = methods.get(method.getName());
                    if (f == null) {
                        throw new UnsupportedOperationException(type.getSimpleName() + "." + method.getName());
                    }
                    return f.apply(args);
                });
    }
}
