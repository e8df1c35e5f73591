package io.edgeport.broker.engine.internal.store;

import java.io.IOException;
import java.util.Locale;

import org.apache.felix.hc.api.FormattingResultLog;
import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.edgeport.api.store.StoreStatistics;

/**
 * Health of the message store (Apache Felix Health Checks, tags {@code broker-core} and {@code edgeport}): CRITICAL
 * while it cannot write (disk full, I/O error: QoS 1/2 publishes are refused then), WARN when the disk is close to the
 * room kept for the broker's state or a consumer lags by more than half the retention (the oldest messages it has not
 * read are dropped at the retention limit).
 */
@Component(service = HealthCheck.class, property = {
        HealthCheck.NAME + "=Message store",
        HealthCheck.TAGS + "=broker-core",
        HealthCheck.TAGS + "=edgeport" })
public final class StoreHealthCheck implements HealthCheck {

    private final MessageStoreComponent store;

    @Activate
    public StoreHealthCheck(@Reference MessageStoreComponent store) {
        this.store = store;
    }

    @Override
    public Result execute() {
        return check(store.log());
    }

    static Result check(MessageLog log) {
        FormattingResultLog out = new FormattingResultLog();
        if (log.writeFailing()) {
            out.critical("The store cannot write ({}): QoS 1/2 publishes are refused until it can", log.writeError());
        }
        try {
            long free = log.usableBytes();
            long reserve = log.reserveBytes();
            if (free < 2 * reserve) {
                out.warn("{} free on the disk of {}, close to the {} kept for the broker's state", mb(free),
                        log.directory(), mb(reserve));
            } else {
                out.info("{} free on the disk of {}", mb(free), log.directory());
            }
        } catch (IOException e) {
            out.critical("Cannot read the free space of {}: {}", log.directory(), e.getMessage());
        }
        StoreStatistics s = log.statistics();
        long half = log.retentionBytes() / 2;
        for (StoreStatistics.ConsumerPosition c : s.consumers()) {
            if (c.lagBytes() > half) {
                out.warn("Consumer '{}' is {} behind (more than half the {} retention): messages it has not read"
                        + " are dropped at the limit", c.name(), mb(c.lagBytes()), mb(log.retentionBytes()));
            } else {
                out.info("Consumer '{}' is {} behind{}", c.name(), mb(c.lagBytes()), c.open() ? "" : " (not reading)");
            }
        }
        if (!log.writeFailing()) {
            out.info("Writable; end position {}", s.end());
        }
        return new Result(out);
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1048576.0);
    }
}
