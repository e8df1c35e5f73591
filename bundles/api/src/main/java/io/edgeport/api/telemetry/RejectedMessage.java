package io.edgeport.api.telemetry;

import java.time.Instant;
import java.util.Objects;

/**
 * A message on a telemetry topic that could not be decoded into a {@link Reading}: kept with its raw bytes so that
 * nothing accepted by the broker is silently lost.
 *
 * @param topic topic name
 * @param payload the raw payload (do not modify)
 * @param reason why it was rejected, for example {@code "not valid JSON: ..."} or {@code "no value"}
 * @param receivedAt when the pipeline received it
 * @since 1.0
 */
public record RejectedMessage(String topic, byte[] payload, String reason, Instant receivedAt) {

    public RejectedMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(receivedAt, "receivedAt");
    }
}
