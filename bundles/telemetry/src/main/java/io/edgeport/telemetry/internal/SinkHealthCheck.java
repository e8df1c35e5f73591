package io.edgeport.telemetry.internal;

import java.util.List;
import java.util.Locale;

import org.apache.felix.hc.api.FormattingResultLog;
import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Health of the storage sinks (Apache Felix Health Checks, tags {@code telemetry} and {@code edgeport}): CRITICAL while
 * a sink cannot store (its database is unreachable or refuses the batch) or cannot read the message store; WARN when
 * no sink is registered (readings wait in the store) or a sink lags more than {@code health_lag_warn_mb}.
 */
@Component(service = HealthCheck.class, property = {
        HealthCheck.NAME + "=Telemetry sinks",
        HealthCheck.TAGS + "=telemetry",
        HealthCheck.TAGS + "=edgeport" })
public final class SinkHealthCheck implements HealthCheck {

    private final TelemetryPipeline pipeline;

    @Activate
    public SinkHealthCheck(@Reference TelemetryPipeline pipeline) {
        this.pipeline = pipeline;
    }

    @Override
    public Result execute() {
        return check(pipeline.sinkStates(), pipeline.lagWarnBytes());
    }

    static Result check(List<TelemetryPipeline.SinkState> sinks, long lagWarnBytes) {
        FormattingResultLog out = new FormattingResultLog();
        if (sinks.isEmpty()) {
            out.warn("No sink is registered: readings wait in the message store until one is (install or configure"
                    + " a sink, e.g. a factory configuration of io.edgeport.sink.jdbc)");
        }
        for (TelemetryPipeline.SinkState s : sinks) {
            if (s.failingSeconds() >= 0) {
                out.critical("Sink '{}' fails for {} s: {}", s.name(), s.failingSeconds(), s.lastError());
            } else if (!s.reading()) {
                out.warn("Sink '{}' has not opened its position in the message store yet", s.name());
            } else if (s.lagBytes() > lagWarnBytes) {
                out.warn("Sink '{}' is {} behind the message store (warning above {})", s.name(), mb(s.lagBytes()),
                        mb(lagWarnBytes));
            } else {
                out.info("Sink '{}' stores; {} behind the message store", s.name(), mb(Math.max(0, s.lagBytes())));
            }
        }
        return new Result(out);
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1048576.0);
    }
}
