package io.edgeport.console.internal;

import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The gateway's health checks (Apache Felix Health Checks tagged {@code edgeport}) for the dashboard, run at most once
 * every 5 s. The HC API is an optional import: without it there are no checks.
 */
final class Health {

    record Check(String name, String status, String message) {
    }

    private static final long EVERY_MS = 5_000;
    private final BundleContext context;
    private List<Check> last = List.of();
    private long at;

    Health(BundleContext context) {
        this.context = context;
    }

    synchronized List<Check> checks() {
        long now = System.currentTimeMillis();
        if (now - at >= EVERY_MS || last.isEmpty()) { // none yet (the gateway is starting): ask again
            at = now;
            try {
                last = Hc.run(context);
            } catch (NoClassDefFoundError | RuntimeException e) {
                last = List.of();
            }
        }
        return last;
    }

    /** The statuses of Felix HC, best first (their index is the Prometheus value). */
    static final List<String> ORDER = List.of("OK", "WARN", "TEMPORARILY_UNAVAILABLE", "CRITICAL",
            "HEALTH_CHECK_ERROR");

    /** @return the worst status of {@code checks}, "NONE" when there are none */
    static String worst(List<Check> checks) {
        String w = checks.isEmpty() ? "NONE" : "OK";
        for (Check c : checks) {
            if (ORDER.indexOf(c.status()) > ORDER.indexOf(w)) {
                w = c.status();
            }
        }
        return w;
    }

    /** Touches the HC API; loaded only when its package is wired. */
    private static final class Hc {
        static List<Check> run(BundleContext context) {
            ServiceReference<org.apache.felix.hc.api.execution.HealthCheckExecutor> ref = context
                    .getServiceReference(org.apache.felix.hc.api.execution.HealthCheckExecutor.class);
            var executor = ref == null ? null : context.getService(ref);
            if (executor == null) {
                return List.of();
            }
            try {
                List<Check> out = new ArrayList<>();
                for (var r : executor.execute(org.apache.felix.hc.api.execution.HealthCheckSelector.tags("edgeport"))) {
                    StringBuilder m = new StringBuilder();
                    r.getHealthCheckResult().forEach(e -> {
                        if (!e.isDebug() && (e.getStatus() != org.apache.felix.hc.api.Result.Status.OK
                                || m.length() == 0)) {
                            m.append(m.length() == 0 ? "" : "; ").append(e.getMessage());
                        }
                    });
                    out.add(new Check(r.getHealthCheckMetadata().getName(),
                            r.getHealthCheckResult().getStatus().name(), m.toString()));
                }
                return out;
            } finally {
                context.ungetService(ref);
            }
        }
    }
}
