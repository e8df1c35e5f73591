package io.edgeport.itest.sick;

import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;

/**
 * A health check that always fails: copied into a generated plugin bundle by {@code HealthGateTest} (with its
 * component XML) to play "a plugin whose health check fails". Not a component of the test bundle.
 */
public class Sick implements HealthCheck {

    @Override
    public Result execute() {
        return new Result(Result.Status.CRITICAL, "sick: this plugin's database is unreachable");
    }
}
