package io.edgeport.api.store;

import java.time.Instant;
import java.util.Objects;
import java.util.function.Function;

/**
 * A message as the broker accepted and stored it. Consumers that read the same message at about the same time get the
 * same instance, so a decoded form computed once with {@link #decoded} serves them all.
 *
 * @since 1.0
 */
public final class StoredMessage {

    private final long position;
    private final Instant accepted;
    private final String clientId;
    private final String topic;
    private final int qos;
    private final boolean retain;
    private final byte[] payload;
    private volatile Memo memo;

    private record Memo(Object key, Object value) {
    }

    /**
     * @param position where the store continues after this message
     * @param accepted when the broker accepted it
     * @param clientId the publishing client ("" for the broker's own publishes)
     * @param payload not copied: the store hands out the array it owns, so do not change it
     */
    public StoredMessage(long position, Instant accepted, String clientId, String topic, int qos, boolean retain,
            byte[] payload) {
        this.position = position;
        this.accepted = Objects.requireNonNull(accepted, "accepted");
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.topic = Objects.requireNonNull(topic, "topic");
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos must be 0, 1 or 2: " + qos);
        }
        this.qos = qos;
        this.retain = retain;
        this.payload = Objects.requireNonNull(payload, "payload");
    }

    /** @return where the store continues after this message: what a consumer commits */
    public long position() {
        return position;
    }

    /** @return when the broker accepted the message */
    public Instant accepted() {
        return accepted;
    }

    /** @return the publishing client's id, "" for the broker's own publishes */
    public String clientId() {
        return clientId;
    }

    public String topic() {
        return topic;
    }

    public int qos() {
        return qos;
    }

    public boolean retain() {
        return retain;
    }

    /** @return the payload; shared by every consumer of this message, so never change it */
    public byte[] payload() {
        return payload;
    }

    /**
     * The message decoded by {@code decoder}, computed once per message and {@code key} (the decoder's identity, e.g.
     * its class) and then shared: several consumers that need the same decoded form (readings for sinks and rules)
     * pay for decoding once. Only the last key's value is kept.
     */
    @SuppressWarnings("unchecked")
    public <T> T decoded(Object key, Function<StoredMessage, T> decoder) {
        Memo m = memo;
        if (m != null && m.key().equals(key)) {
            return (T) m.value();
        }
        T value = decoder.apply(this);
        memo = new Memo(key, value);
        return value;
    }

    @Override
    public String toString() {
        return "StoredMessage[" + topic + " @" + position + ", qos " + qos + ", " + payload.length + " bytes]";
    }
}
