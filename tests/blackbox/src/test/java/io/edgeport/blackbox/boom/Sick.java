package io.edgeport.blackbox.boom;

import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;

/**
 * A health check that always fails: PluginsTest copies this class (with a component XML) into a generated plugin
 * bundle to play "a plugin whose health check fails". Not loaded by the tests themselves.
 */
public class Sick implements HealthCheck {

    @Override
    public Result execute() {
        return new Result(Result.Status.CRITICAL, "sick: the webhook endpoint is unreachable");
    }
}
