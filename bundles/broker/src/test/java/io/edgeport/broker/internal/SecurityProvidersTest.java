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
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.resource.Capability;
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

    private static final String SIGNAL = "(osgi.condition.id=edgeport.configured)";

    private int frameworkState = Bundle.ACTIVE;
    private boolean signalled = true;
    /** Bundles besides the system bundle: symbolic name → {state, persistently started, service it declares}. */
    private final Map<String, Object[]> bundles = new HashMap<>();
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
        assertThat(probe(null).check().startupFinished()).as("no signal configured: the framework decides").isTrue();

        signalled = false;
        assertThat(probe(SIGNAL).check().startupFinished()).isFalse();
        signalled = true;
        frameworkState = Bundle.STARTING;
        assertThat(probe(SIGNAL).check().ready())
                .as("with a signal the rest of the framework start (console, telemetry...) is not waited for").isTrue();
    }

    @Test
    void aSecurityBundleStillToStartIsWaitedForUntilTheFrameworkStartIsOver() {
        frameworkState = Bundle.STARTING;
        bundles.put("io.edgeport.auth.ldap", new Object[] {Bundle.RESOLVED, true, Authenticator.class.getName()});
        bundles.put("io.edgeport.telemetry", new Object[] {Bundle.RESOLVED, true, "io.edgeport.api.Other"});
        bundles.put("io.edgeport.auth.stopped", new Object[] {Bundle.RESOLVED, false, Authorizer.class.getName()});
        SecurityProviders p = probe(SIGNAL);
        assertThat(p.check().providers()).as("only persistently started bundles declaring a security service")
                .containsExactly("bundle io.edgeport.auth.ldap (starting)");

        bundles.put("io.edgeport.auth.ldap", new Object[] {Bundle.STARTING, true, Authenticator.class.getName()});
        assertThat(p.check().ready()).isFalse();

        bundles.put("io.edgeport.auth.ldap", new Object[] {Bundle.ACTIVE, true, Authenticator.class.getName()});
        assertThat(p.check().ready()).isTrue();

        bundles.put("io.edgeport.auth.ldap", new Object[] {Bundle.RESOLVED, true, Authenticator.class.getName()});
        frameworkState = Bundle.ACTIVE;
        assertThat(p.check().ready()).as("framework started, bundle not active: it failed to start").isTrue();
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
        m.put("getBundles", a -> {
            List<Bundle> all = new ArrayList<>();
            all.add(fake(Bundle.class, Map.of("getState", x -> frameworkState, "getBundleId", x -> 0L)));
            bundles.forEach((name, b) -> all.add(bundle(name, b)));
            return all.toArray(new Bundle[0]);
        });
        m.put("getAllServiceReferences", a -> signalled
                && filter((String) a[1]).matches(Map.of("osgi.condition.id", "edgeport.configured"))
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

    private Bundle bundle(String name, Object[] b) {
        Capability service = fake(Capability.class, Map.of("getAttributes",
                x -> Map.of("objectClass", List.of((String) b[2]))));
        BundleRevision revision = fake(BundleRevision.class, Map.of("getCapabilities",
                x -> "osgi.service".equals(x[0]) ? List.of(service) : List.of()));
        BundleStartLevel level = fake(BundleStartLevel.class, Map.of("isPersistentlyStarted", x -> b[1]));
        long id = ((long) name.hashCode() & 0xffff) + 1;
        return fake(Bundle.class, Map.of("getState", x -> b[0], "getBundleId", x -> id, "getSymbolicName", x -> name,
                "adapt", x -> x[0] == BundleRevision.class ? revision : x[0] == BundleStartLevel.class ? level : null));
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
