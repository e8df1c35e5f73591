package io.edgeport.features.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.apache.felix.hc.api.HealthCheck;

import org.apache.felix.hc.api.Result;
import org.apache.felix.hc.api.execution.HealthCheckExecutionResult;
import org.apache.felix.hc.api.execution.HealthCheckExecutor;
import org.apache.felix.hc.api.execution.HealthCheckSelector;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Apache Felix Health Checks of a feature: those registered by its bundles and those tagged with its name. Loaded only when its package is wired (the import is optional): callers catch
 * {@link NoClassDefFoundError}.
 */
final class HealthChecks {

    private HealthChecks() {
    }

    /** @return the names of the checks registered by {@code bundles} or tagged {@code tag} */
    static Set<String> names(BundleContext context, String tag, Collection<Bundle> bundles) {
        Set<Long> ids = new java.util.HashSet<>();
        bundles.forEach(b -> ids.add(b.getBundleId()));
        Set<String> names = new TreeSet<>();
        ServiceReference<?>[] refs;
        try {
            refs = context.getAllServiceReferences(HealthCheck.class.getName(), null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        for (ServiceReference<?> r : refs == null ? new ServiceReference<?>[0] : refs) {
            Object name = r.getProperty(HealthCheck.NAME);
            Bundle owner = r.getBundle();
            if (name == null || owner == null) {
                continue;
            }
            if (ids.contains(owner.getBundleId()) || tags(r.getProperty(HealthCheck.TAGS)).contains(tag)) {
                names.add(name.toString());
            }
        }
        return names;
    }

    private static List<String> tags(Object v) {
        if (v instanceof String[] a) {
            return Arrays.asList(a);
        }
        if (v instanceof Collection<?> c) {
            return c.stream().map(String::valueOf).toList();
        }
        return v == null ? List.of() : List.of(v.toString());
    }

    /**
     * @return what the failing checks of the feature say, or null when all pass, none exist or no executor runs
     */
    static String failing(BundleContext context, String tag, Collection<Bundle> bundles) {
        ServiceReference<HealthCheckExecutor> ref = context.getServiceReference(HealthCheckExecutor.class);
        HealthCheckExecutor executor = ref == null ? null : context.getService(ref);
        if (executor == null) {
            return null;
        }
        try {
            Set<String> names = names(context, tag, bundles);
            if (names.isEmpty()) {
                return null;
            }
            List<String> bad = new ArrayList<>();
            for (HealthCheckExecutionResult r : executor.execute(
                    HealthCheckSelector.names(names.toArray(new String[0])))) {
                Result.Status s = r.getHealthCheckResult().getStatus();
                if (s == Result.Status.CRITICAL || s == Result.Status.HEALTH_CHECK_ERROR
                        || s == Result.Status.TEMPORARILY_UNAVAILABLE) {
                    bad.add("health check '" + r.getHealthCheckMetadata().getName() + "' is " + s + ": "
                            + message(r.getHealthCheckResult()));
                }
            }
            return bad.isEmpty() ? null : String.join("; ", bad);
        } finally {
            context.ungetService(ref);
        }
    }

    /** @return the worst status of the feature's checks and their messages, or "no checks" */
    static String summary(BundleContext context, String tag, Collection<Bundle> bundles) {
        ServiceReference<HealthCheckExecutor> ref = context.getServiceReference(HealthCheckExecutor.class);
        HealthCheckExecutor executor = ref == null ? null : context.getService(ref);
        if (executor == null) {
            return "no health checks running";
        }
        try {
            Set<String> names = names(context, tag, bundles);
            List<HealthCheckExecutionResult> results = names.isEmpty() ? List.of()
                    : executor.execute(HealthCheckSelector.names(names.toArray(new String[0])));
            if (results.isEmpty()) {
                return "no checks";
            }
            Result.Status worst = Result.Status.OK;
            List<String> notes = new ArrayList<>();
            for (HealthCheckExecutionResult r : results) {
                Result.Status s = r.getHealthCheckResult().getStatus();
                if (s.ordinal() > worst.ordinal()) {
                    worst = s;
                }
                if (s != Result.Status.OK) {
                    notes.add(r.getHealthCheckMetadata().getName() + ": " + message(r.getHealthCheckResult()));
                }
            }
            String count = results.size() == 1 ? "1 check" : results.size() + " checks";
            return worst + (notes.isEmpty() ? " (" + count + ")" : " - " + String.join("; ", notes));
        } finally {
            context.ungetService(ref);
        }
    }

    private static String message(Result r) {
        StringBuilder b = new StringBuilder();
        r.forEach(e -> {
            if (e.getStatus() != Result.Status.OK && !e.isDebug()) {
                b.append(b.length() == 0 ? "" : ", ").append(e.getMessage());
            }
        });
        return b.length() == 0 ? String.valueOf(r.getStatus()) : b.toString();
    }
}
