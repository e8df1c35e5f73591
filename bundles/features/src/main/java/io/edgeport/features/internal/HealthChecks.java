package io.edgeport.features.internal;

import java.util.ArrayList;
import java.util.List;

import org.apache.felix.hc.api.Result;
import org.apache.felix.hc.api.execution.HealthCheckExecutionResult;
import org.apache.felix.hc.api.execution.HealthCheckExecutor;
import org.apache.felix.hc.api.execution.HealthCheckSelector;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * Apache Felix Health Checks, by tag. Loaded only when its package is wired (the import is optional): callers catch
 * {@link NoClassDefFoundError}.
 */
final class HealthChecks {

    private HealthChecks() {
    }

    /** @return what the failing checks of {@code tag} say, or null when all pass, none exist or no executor runs */
    static String failing(BundleContext context, String tag) {
        ServiceReference<HealthCheckExecutor> ref = context.getServiceReference(HealthCheckExecutor.class);
        HealthCheckExecutor executor = ref == null ? null : context.getService(ref);
        if (executor == null) {
            return null;
        }
        try {
            List<String> bad = new ArrayList<>();
            for (HealthCheckExecutionResult r : executor.execute(HealthCheckSelector.tags(tag))) {
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

    /** @return the worst status of the checks of {@code tag} and their messages, or "no checks" */
    static String summary(BundleContext context, String tag) {
        ServiceReference<HealthCheckExecutor> ref = context.getServiceReference(HealthCheckExecutor.class);
        HealthCheckExecutor executor = ref == null ? null : context.getService(ref);
        if (executor == null) {
            return "no health checks running";
        }
        try {
            List<HealthCheckExecutionResult> results = executor.execute(HealthCheckSelector.tags(tag));
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
            return worst + (notes.isEmpty() ? " (" + results.size() + " checks)" : " - " + String.join("; ", notes));
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
