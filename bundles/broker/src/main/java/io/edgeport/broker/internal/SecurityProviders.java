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
 * <p>The rule, with nothing specific to one provider: once the start has finished (the framework is STARTED and, when
 * a {@code startup_signal} filter is set, a service matching it is registered — the bnd launcher registers
 * {@code (launcher.ready=true)} after it started every bundle), every ConfigAdmin configuration of a Declarative
 * Services component that provides {@link Authenticator} or {@link Authorizer} must have its component instance
 * registered and bound to the broker. A configuration whose component failed to activate is not waited for (SCR logs
 * why); neither are disabled components or configurations of components that are not installed.
 *
 * <p>Why configurations: they are what "configured at start" means and need no list to keep up to date (an operator
 * who adds or deletes a realm changes nothing here). Why the start signal: on a first start the default realm's
 * configuration is created by a component of the runtime bundle, possibly after the broker's activation; before the
 * start has finished there is no telling which configurations will exist.
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
        ServiceComponentRuntime runtime = scr.get();
        ConfigurationAdmin ca = configAdmin.get();
        if (runtime == null || ca == null) {
            return new StartupAdmission.Pending(true, List.of()); // no configured components without both
        }
        List<String> waiting = new ArrayList<>();
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
        Bundle system = context.getBundle(Constants.SYSTEM_BUNDLE_ID);
        if (system == null || system.getState() != Bundle.ACTIVE) {
            return false;
        }
        try {
            return startupSignal == null || context.getAllServiceReferences(null, startupSignal) != null;
        } catch (InvalidSyntaxException e) {
            return true; // validated before; cannot happen
        }
    }

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
