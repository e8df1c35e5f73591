package io.edgeport.broker.engine.internal.session;

import io.moquette.broker.SessionRegistry;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.util.HashMap;
import java.util.Map;

import io.edgeport.broker.engine.internal.store.DurableState;

/**
 * A persistent session's in-flight window (Moquette's {@code Session.inflightWindow}, a HashMap owned by the session's
 * loop) that also keeps each message in the store until the client acknowledged it, so that neither a clean stop nor a
 * crash loses a message that left the queue but was not yet acknowledged: at the next start they are put back at the
 * front of the session's queue ({@link DurableState#requeueInflight()}).
 *
 * <p>Moquette touches the window with {@code put} (a message sent, or a PUBREL marker replacing a QoS 2 message the
 * client received: then the message is no longer needed, but the PUBREL is owed and recorded, and sent again after a
 * restart: {@link #restore}), {@code remove} (PUBACK, PUBCOMP), {@code get} and
 * {@code values}; only the first two change the store. Confined to the session's loop, like the map it replaces.
 *
 * <p>Moquette answers a PUBREC with two calls, {@code remove} of the QoS 2 message, then {@code put} of the PUBREL
 * marker. Were the removal logged at once, a group commit between the two and a kill would leave the store with
 * neither, while the client holds the message under its packet id awaiting a PUBREL that never comes again (it drops
 * the message when the id is reused). So the removal of a QoS 2 message's record waits: the marker that follows
 * replaces the record in one log record ({@link DurableState#inflightMarker(String, int, long)}); any other change
 * logs the removal first. (Should nothing follow, as when Moquette gets a PUBREC while the client is disconnected and
 * drops the exchange, the record stays until the next change: after a crash the message is sent again under its
 * packet id with DUP=1, which the client recognises.)
 */
public final class DurableInflight extends HashMap<Integer, SessionRegistry.EnqueuedMessage> {

    private static final long serialVersionUID = 1L;
    private final transient DurableState store;
    private final String clientId;
    /** packet id → store key of the message recorded for it. */
    private final Map<Integer, Long> recorded = new HashMap<>();
    /** A QoS 2 message removed from the window whose record waits for its PUBREL marker (-1: none); see above. */
    private long pendingKey = -1;
    private int pendingId;

    public DurableInflight(DurableState store, String clientId) {
        this.store = store;
        this.clientId = clientId;
    }

    /** What was put back after a restart (PUBRELs, QoS 2 messages) and has not been sent again yet. */
    private final java.util.Set<Integer> restored = new java.util.LinkedHashSet<>();

    @Override
    public SessionRegistry.EnqueuedMessage put(Integer packetId, SessionRegistry.EnqueuedMessage value) {
        restored.remove(packetId);
        // The record this one replaces goes in the same log record (a crash keeps both changes or neither); so does
        // the message's removal from the queue it just left.
        Long old = recorded.remove(packetId);
        long replaced = old == null ? -1 : old;
        if (pendingKey >= 0) {
            if (old == null && pendingId == packetId && value instanceof SessionRegistry.PubRelMarker) {
                replaced = pendingKey; // the PUBREC's second step
                pendingKey = -1;
            } else {
                settle();
            }
        }
        if (value instanceof SessionRegistry.PublishedMessage p) {
            recorded.put(packetId, store.inflightPut(clientId, packetId, p, replaced));
        } else if (value instanceof SessionRegistry.PubRelMarker) {
            recorded.put(packetId, store.inflightMarker(clientId, packetId, replaced));
        } else if (old != null) {
            store.inflightRemove(clientId, old);
        }
        return super.put(packetId, value);
    }

    /**
     * At start: something owed from before the restart under {@code packetId}, recorded under {@code key}: a QoS 2
     * message (sent again with DUP=1 after the client's CONNACK) or, when {@code message} is null, a PUBREL.
     */
    public void restore(int packetId, long key, SessionRegistry.PublishedMessage message) {
        super.put(packetId, message != null ? message : new SessionRegistry.PubRelMarker());
        recorded.put(packetId, key);
        restored.add(packetId);
    }

    /** @return the highest packet id of a restored PUBREL not yet sent again, 0 if none */
    public int highestRestored() {
        return restored.stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    /** @return the packet ids restored after a restart, to send again now (once), in send order */
    public java.util.List<Integer> takeRestored() {
        java.util.List<Integer> out = new java.util.ArrayList<>(restored);
        restored.clear();
        return out;
    }

    @Override
    public SessionRegistry.EnqueuedMessage remove(Object packetId) {
        if (packetId instanceof Integer id) {
            settle();
            if (super.get(id) instanceof SessionRegistry.PublishedMessage p
                    && p.getPublishingQos() == MqttQoS.EXACTLY_ONCE && recorded.containsKey(id)) {
                pendingId = id; // perhaps a PUBREC: its marker comes next
                pendingKey = recorded.remove(id);
            } else {
                forget(id);
            }
        }
        return super.remove(packetId);
    }

    /** Logs the removal that waited for a PUBREL marker which did not come. */
    private void settle() {
        if (pendingKey >= 0) {
            long key = pendingKey;
            pendingKey = -1;
            store.inflightRemove(clientId, key);
        }
    }

    @Override
    public void clear() {
        settle();
        for (Integer id : recorded.keySet().toArray(new Integer[0])) {
            forget(id);
        }
        super.clear();
    }

    private void forget(Integer packetId) {
        Long key = recorded.remove(packetId);
        if (key != null) {
            store.inflightRemove(clientId, key);
        }
    }
}
