package io.edgeport.sink.kafka.internal;

import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;

/** Health of one Kafka sink: CRITICAL for an invalid configuration or when the last batch failed (Kafka down). */
final class KafkaHealthCheck implements HealthCheck {

    private final KafkaTelemetrySink sink;
    private final String problem;

    KafkaHealthCheck(KafkaTelemetrySink sink, String problem) {
        this.sink = sink;
        this.problem = problem;
    }

    @Override
    public Result execute() {
        if (sink == null) {
            return new Result(Result.Status.CRITICAL, "Configuration not used, no sink runs: " + problem);
        }
        String error = sink.lastError();
        if (!error.isEmpty()) {
            return new Result(Result.Status.CRITICAL, "Kafka " + sink.settings().bootstrapServers()
                    + " does not take readings (they wait in the message store): " + error);
        }
        return new Result(Result.Status.OK, sink.sent() + " readings sent to " + sink.settings().topic() + " on "
                + sink.settings().bootstrapServers());
    }
}
