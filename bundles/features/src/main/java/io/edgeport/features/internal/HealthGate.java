package io.edgeport.features.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/**
 * Whether a feature's bundles serve: all active (fragments resolved), no component failed to activate or is missing a
 * service it needs, and the health checks its bundles register or that are tagged with the feature's name pass (when Apache Felix Health Checks run).
 * Each problem is one line for the operator.
 */
final class HealthGate {

    private HealthGate() {
    }

    /** What is wrong now; {@code fatal} problems will not go away by waiting. */
    record Problems(List<String> fatal, List<String> pending) {
        boolean none() {
            return fatal.isEmpty() && pending.isEmpty();
        }

        String summary() {
            List<String> all = new ArrayList<>(fatal);
            all.addAll(pending);
            return String.join("; ", all);
        }
    }

    static Problems check(BundleContext context, Collection<Bundle> bundles, String tag) {
        List<String> fatal = new ArrayList<>();
        List<String> pending = new ArrayList<>();
        for (Bundle b : bundles) {
            boolean fragment = b.getHeaders("").get("Fragment-Host") != null;
            int want = fragment ? Bundle.RESOLVED : Bundle.ACTIVE;
            if (b.getState() == Bundle.UNINSTALLED) {
                fatal.add(name(b) + " was uninstalled");
            } else if (b.getState() != want) {
                pending.add(name(b) + " is " + state(b.getState()));
            }
        }
        components(context, bundles, fatal, pending);
        if (fatal.isEmpty() && pending.isEmpty()) {
            String hc = healthChecks(context, tag, bundles);
            if (hc != null) {
                pending.add(hc);
            }
        }
        return new Problems(fatal, pending);
    }

    private static void components(BundleContext context, Collection<Bundle> bundles, List<String> fatal,
            List<String> pending) {
        ServiceReference<ServiceComponentRuntime> ref;
        try {
            ref = context.getServiceReference(ServiceComponentRuntime.class);
        } catch (NoClassDefFoundError | IllegalStateException e) {
            return;
        }
        ServiceComponentRuntime scr = ref == null ? null : context.getService(ref);
        if (scr == null) {
            return;
        }
        try {
            for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs(bundles.toArray(new Bundle[0]))) {
                if (!scr.isComponentEnabled(d)) {
                    continue;
                }
                for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                    if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                        fatal.add("component " + d.name + " failed to activate: " + oneLine(c.failure));
                    } else if (c.state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE) {
                        List<String> refs = new ArrayList<>();
                        for (UnsatisfiedReferenceDTO u : c.unsatisfiedReferences) {
                            refs.add(u.name + (u.target == null ? "" : " " + u.target));
                        }
                        pending.add("component " + d.name + " waits for " + String.join(", ", refs));
                    }
                }
            }
        } finally {
            context.ungetService(ref);
        }
    }

    /** @return what the feature's failing health checks say, or null when they pass or none run */
    static String healthChecks(BundleContext context, String tag, Collection<Bundle> bundles) {
        try {
            return HealthChecks.failing(context, tag, bundles);
        } catch (NoClassDefFoundError e) {
            return null; // Health Checks are not installed: the other gates decide
        }
    }

    static String oneLine(String s) {
        if (s == null) {
            return "(no reason given)";
        }
        String first = s.strip();
        int nl = first.indexOf('\n');
        first = nl < 0 ? first : first.substring(0, nl);
        // SCR puts the exception's class and message first: "java.lang.IllegalStateException: boom"
        return first.length() > 300 ? first.substring(0, 300) + "..." : first;
    }

    static String name(Bundle b) {
        return b.getSymbolicName() + " " + b.getVersion();
    }

    static String state(int s) {
        return switch (s) {
            case Bundle.INSTALLED -> "installed but not resolved";
            case Bundle.RESOLVED -> "resolved but not started";
            case Bundle.STARTING -> "starting";
            case Bundle.STOPPING -> "stopping";
            case Bundle.ACTIVE -> "active";
            case Bundle.UNINSTALLED -> "uninstalled";
            default -> "in state " + s;
        };
    }
}
