package io.edgeport.bridge.internal;

import java.util.function.Supplier;

import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;

/**
 * Health of one bridge (tags {@code bridge}, {@code edgeport}): OK while connected (with its lag), WARN while the
 * upstream cannot be reached (the store keeps what is to be sent), CRITICAL when the configuration is invalid.
 */
final class BridgeHealthCheck implements HealthCheck {

    private final Supplier<Bridge.Status> status;

    BridgeHealthCheck(Supplier<Bridge.Status> status) {
        this.status = status;
    }

    @Override
    public Result execute() {
        Bridge.Status s = status.get();
        return switch (s.state()) {
            case "connected" -> new Result(Result.Status.OK, "Connected to " + s.upstream() + ", " + s.sent()
                    + " sent, " + s.received() + " received, behind by " + lag(s));
            case "invalid configuration" -> new Result(Result.Status.CRITICAL, "Configuration not used, no bridge"
                    + " runs: " + s.lastError());
            default -> new Result(Result.Status.WARN, "Not connected (" + s.state() + ")" + (s.lastError().isEmpty()
                    ? "" : ": " + s.lastError()) + "; messages wait in the store, behind by " + lag(s));
        };
    }

    static String lag(Bridge.Status s) {
        if (s.lagBytes() < 0) {
            return "-";
        }
        return (s.lagSeconds() < 0 ? "?" : s.lagSeconds()) + " s (" + s.lagBytes() / 1024 + " KB)";
    }
}
