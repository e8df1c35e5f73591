package io.edgeport.broker.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.resource.Capability;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.ComponentConstants;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

import io.edgeport.api.auth.Authenticator;
import io.edgeport.api.auth.Authorizer;

/**
 * Which security providers configured at start are not in place yet: the {@link StartupAdmission.Probe} of a running
 * framework.
 *
 * <p>The rule, with nothing specific to one provider: once the start of the security providers is over, every
 * ConfigAdmin configuration of a Declarative Services component that provides {@link Authenticator} or
 * {@link Authorizer} must have its component instance registered and bound to the broker. A configuration whose
 * component failed to activate is not waited for (SCR logs why); neither are disabled components or configurations of
 * components that are not installed.
 *
 * <p>When is the start of the security providers over? Without a {@code startup_signal}: when the framework is STARTED
 * (every bundle started). With one (the gateway and broker profiles use {@code (osgi.condition.id=edgeport.configured)},
 * registered by the runtime bundle once this start's default configurations are written, and start the security
 * bundles before it): when a service matching it is registered and no bundle that declares an {@link Authenticator} or
 * {@link Authorizer} service ({@code osgi.service} capability) is still starting or, before the framework is STARTED,
 * persistently started but not active yet — so a realm installed later as a feature is waited for too, while the
 * console, telemetry and alarms are not.
 *
 * <p>Why configurations: they are what "configured at start" means and need no list to keep up to date (an operator
 * who adds or deletes a realm changes nothing here). Why the start signal: on a first start the default realm's
 * configuration is created by a component of the runtime bundle, possibly after the broker's activation; before it
 * ran there is no telling which configurations will exist.
 *
 * <p>Thread-safe; each {@link #check()} reads the current state.
 */
final class SecurityProviders implements StartupAdmission.Probe {

    static final Set<String> SECURITY_SERVICES = Set.of(Authenticator.class.getName(), Authorizer.class.getName());

    private final BundleContext context;
    private final String startupSignal;
    private final Supplier<ServiceComponentRuntime> scr;
    private final Supplier<ConfigurationAdmin> configAdmin;
    private final Predicate<Object> boundByBroker;

    /**
     * @param startupSignal a valid LDAP filter, or null/empty for "the framework is STARTED"
     * @param boundByBroker whether a provider service object is in the broker's provider lists
     */
    SecurityProviders(BundleContext context, String startupSignal, Supplier<ServiceComponentRuntime> scr,
                      Supplier<ConfigurationAdmin> configAdmin, Predicate<Object> boundByBroker) {
        this.context = context;
        this.startupSignal = startupSignal == null || startupSignal.isBlank() ? null : startupSignal.trim();
        this.scr = scr;
        this.configAdmin = configAdmin;
        this.boundByBroker = boundByBroker;
    }

    @Override
    public StartupAdmission.Pending check() {
        if (!startupFinished()) {
            return new StartupAdmission.Pending(false, List.of());
        }
        List<String> waiting = new ArrayList<>(startingSecurityBundles());
        ServiceComponentRuntime runtime = scr.get();
        ConfigurationAdmin ca = configAdmin.get();
        if (runtime == null || ca == null) {
            return new StartupAdmission.Pending(true, waiting); // no configured components without both
        }
        List<String> inPlace = new ArrayList<>();
        for (ComponentDescriptionDTO d : runtime.getComponentDescriptionDTOs()) {
            if (!providesSecurity(d) || "ignore".equals(d.configurationPolicy) || d.configurationPid == null
                    || !runtime.isComponentEnabled(d)) {
                continue;
            }
            Collection<ComponentConfigurationDTO> instances = runtime.getComponentConfigurationDTOs(d);
            for (String pid : d.configurationPid) {
                for (Configuration c : configurations(ca, pid)) {
                    ComponentConfigurationDTO instance = instanceFor(instances, c.getPid());
                    if (instance != null && instance.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                        continue; // not coming; SCR logged why
                    }
                    String name = d.name + " (" + c.getPid() + ")";
                    if (instance == null || !inService(instance.state) || !bound(d, instance)) {
                        waiting.add(name);
                    } else {
                        inPlace.add(name);
                    }
                }
            }
        }
        return new StartupAdmission.Pending(true, waiting, inPlace);
    }

    boolean startupFinished() {
        if (startupSignal == null) {
            return frameworkStarted();
        }
        try {
            return context.getAllServiceReferences(null, startupSignal) != null;
        } catch (InvalidSyntaxException e) {
            return true; // validated before; cannot happen
        }
    }

    private boolean frameworkStarted() {
        Bundle system = context.getBundle(Constants.SYSTEM_BUNDLE_ID);
        return system != null && system.getState() == Bundle.ACTIVE;
    }

    /**
     * Bundles declaring a security service that are still to come in this start: starting, or (only while the
     * framework is starting its bundles) persistently started but not active. After the framework start a bundle in
     * that state failed to start and is not coming.
     */
    List<String> startingSecurityBundles() {
        if (startupSignal == null) {
            return List.of(); // the framework is STARTED: every bundle had its turn
        }
        boolean frameworkStarting = !frameworkStarted();
        List<String> coming = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            int state = b.getState();
            if (state == Bundle.ACTIVE || state == Bundle.UNINSTALLED || b.getBundleId() == Constants.SYSTEM_BUNDLE_ID
                    || !declaresSecurityService(b)) {
                continue;
            }
            if (state == Bundle.STARTING || frameworkStarting && persistentlyStarted(b)) {
                coming.add("bundle " + b.getSymbolicName() + " (starting)");
            }
        }
        return coming;
    }

    private static boolean persistentlyStarted(Bundle b) {
        BundleStartLevel level = b.adapt(BundleStartLevel.class);
        return level != null && level.isPersistentlyStarted();
    }

    static boolean declaresSecurityService(Bundle b) {
        BundleRevision revision = b.adapt(BundleRevision.class);
        if (revision == null) {
            return false;
        }
        for (Capability c : revision.getCapabilities(SERVICE_NAMESPACE)) {
            Object classes = c.getAttributes().get(Constants.OBJECTCLASS);
            if (classes instanceof Collection<?> list) {
                for (Object o : list) {
                    if (SECURITY_SERVICES.contains(String.valueOf(o))) {
                        return true;
                    }
                }
            } else if (classes != null && SECURITY_SERVICES.contains(classes.toString())) {
                return true;
            }
        }
        return false;
    }

    /** The {@code osgi.service} namespace of the capabilities bnd declares for DS components' services. */
    static final String SERVICE_NAMESPACE = "osgi.service";

    static boolean providesSecurity(ComponentDescriptionDTO d) {
        if (d.serviceInterfaces == null) {
            return false;
        }
        for (String s : d.serviceInterfaces) {
            if (SECURITY_SERVICES.contains(s)) {
                return true;
            }
        }
        return false;
    }

    private static boolean inService(int state) {
        return state == ComponentConfigurationDTO.SATISFIED || state == ComponentConfigurationDTO.ACTIVE;
    }

    private static Configuration[] configurations(ConfigurationAdmin ca, String pid) {
        String p = escape(pid);
        try {
            Configuration[] found = ca.listConfigurations("(|(" + Constants.SERVICE_PID + "=" + p + ")("
                    + ConfigurationAdmin.SERVICE_FACTORYPID + "=" + p + "))");
            return found == null ? new Configuration[0] : found;
        } catch (IOException | InvalidSyntaxException e) {
            return new Configuration[0];
        }
    }

    /** The component instance SCR made for configuration {@code pid} (its properties carry the pid), or null. */
    static ComponentConfigurationDTO instanceFor(Collection<ComponentConfigurationDTO> instances, String pid) {
        for (ComponentConfigurationDTO i : instances) {
            Object v = i.properties == null ? null : i.properties.get(Constants.SERVICE_PID);
            if (v instanceof String s && s.equals(pid) || v instanceof String[] a && List.of(a).contains(pid)
                    || v instanceof Collection<?> c && c.contains(pid)) {
                return i;
            }
        }
        return null;
    }

    /** Whether every security service of the instance is in the broker's lists (what AuthBridge asks). */
    private boolean bound(ComponentDescriptionDTO d, ComponentConfigurationDTO instance) {
        for (String iface : d.serviceInterfaces) {
            if (!SECURITY_SERVICES.contains(iface)) {
                continue;
            }
            ServiceReference<?>[] refs;
            try {
                refs = context.getServiceReferences(iface, "(" + ComponentConstants.COMPONENT_ID + "=" + instance.id
                        + ")");
            } catch (InvalidSyntaxException e) {
                return false;
            }
            if (refs == null) {
                return false;
            }
            for (ServiceReference<?> ref : refs) {
                // The broker's own context: the same service object DS bound to the broker's references.
                Object service = context.getService(ref);
                try {
                    if (service == null || !boundByBroker.test(service)) {
                        return false;
                    }
                } finally {
                    if (service != null) {
                        context.ungetService(ref);
                    }
                }
            }
        }
        return true;
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == '\\' || c == '*' || c == '(' || c == ')') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }
}
