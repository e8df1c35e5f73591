package io.edgeport.sink.jdbc.internal;

import java.sql.SQLException;

import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;

/**
 * Health of one JDBC sink (Apache Felix Health Checks, tags {@code telemetry}, {@code sink} and {@code edgeport}):
 * CRITICAL when its configuration is invalid (no sink runs) or its database does not answer.
 */
final class JdbcHealthCheck implements HealthCheck {

    private final JdbcStore store;
    private final String problem;

    private JdbcHealthCheck(JdbcStore store, String problem) {
        this.store = store;
        this.problem = problem;
    }

    static JdbcHealthCheck of(JdbcStore store) {
        return new JdbcHealthCheck(store, null);
    }

    static JdbcHealthCheck invalid(String problem) {
        return new JdbcHealthCheck(null, problem);
    }

    @Override
    public Result execute() {
        if (store == null) {
            return new Result(Result.Status.CRITICAL, "Configuration not used, no sink runs: " + problem);
        }
        try {
            store.probe(2);
            return new Result(Result.Status.OK, "Database " + store.settings().safeUrl() + " answers");
        } catch (SQLException | RuntimeException e) {
            return new Result(Result.Status.CRITICAL, "Database " + store.settings().safeUrl() + " unreachable: "
                    + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "(no reason given)";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
