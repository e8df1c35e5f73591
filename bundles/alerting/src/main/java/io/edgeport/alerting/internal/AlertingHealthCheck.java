package io.edgeport.alerting.internal;

import java.util.Locale;

import org.apache.felix.hc.api.FormattingResultLog;
import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Health of the alerting engine (Apache Felix Health Checks, tags {@code alerting} and {@code edgeport}): CRITICAL
 * when the alarm database does not answer; WARN while the engine has no position in the message store (no broker) or
 * lags more than 64 MB behind it (alarms come late).
 */
@Component(service = HealthCheck.class, property = {
        HealthCheck.NAME + "=Alerting engine",
        HealthCheck.TAGS + "=alerting",
        HealthCheck.TAGS + "=edgeport" })
public final class AlertingHealthCheck implements HealthCheck {

    static final long LAG_WARN_BYTES = 64L << 20;

    private final AlertingComponent alerting;

    @Activate
    public AlertingHealthCheck(@Reference AlertingComponent alerting) {
        this.alerting = alerting;
    }

    @Override
    public Result execute() {
        FormattingResultLog out = new FormattingResultLog();
        String db = alerting.databaseProblem();
        if (db != null) {
            out.critical("Alarm database unreachable: {}", db);
        } else {
            out.info("Alarm database answers; {} alarm(s) raised", alerting.active().size());
        }
        long lag = alerting.inputLagBytes();
        if (!alerting.inputConnected()) {
            out.warn("No position in the message store yet (is the broker running?)");
        } else if (lag > LAG_WARN_BYTES) {
            out.warn("Rules run {} behind the message store: alarms come late", mb(lag));
        } else {
            out.info("Rules run {} behind the message store", mb(Math.max(0, lag)));
        }
        for (String n : alerting.notifierSummaries()) {
            out.info("Notifier {}", n);
        }
        return new Result(out);
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1048576.0);
    }
}
