package io.edgeport.alerting.webhook.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** One webhook endpoint. */
@ObjectClassDefinition(name = "Edgeport alarm notifier: webhook", description = "HTTP POST of every alarm transition"
        + " as JSON; retried with back-off until the endpoint answers 2xx, in order, also across restarts.")
public @interface WebhookConfig {

    String PID = "io.edgeport.alerting.webhook";

    @AttributeDefinition(name = "name", description = "Stable name (letters, digits, . _ -); it keeps this"
            + " endpoint's place in the alarm log. A new name starts with the next alarm.")
    String name();

    @AttributeDefinition(name = "url", description = "http:// or https:// URL to POST to.")
    String url();

    @AttributeDefinition(name = "timeout.ms", description = "Connect and response timeout, 100..120000 ms.")
    long timeout_ms() default 5000;

    @AttributeDefinition(name = "retry.max.ms", description = "Longest pause between retries, 1000..3600000 ms.")
    long retry_max_ms() default 60000;

    @AttributeDefinition(name = "authorization", type = AttributeType.PASSWORD, description = "Value of the"
            + " Authorization header (e.g. 'Bearer ...'); empty: none. Never logged.", required = false)
    String authorization() default "";
}
