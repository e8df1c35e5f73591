package io.edgeport.broker.engine.internal.session;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;

import io.edgeport.broker.engine.internal.store.DurableState;
import io.netty.handler.codec.mqtt.MqttPublishMessage;

/**
 * A session's QoS 2 messages received from its client, between PUBLISH and PUBREL (Moquette's
 * {@code Session.qos2Receiving}), made exactly-once: Moquette 0.17 routes every QoS 2 PUBLISH it receives, also a
 * resend of one it already routed and answered with PUBREC (the client resends after a reconnect, or after the broker
 * was killed before the PUBREC got out), so subscribers got it twice. Here a PUBLISH whose packet id is still between
 * PUBLISH and PUBREL is answered with PUBREC again but not routed (MQTT-4.3.3-2, method B: until the PUBREL the same
 * id is the same message, whatever its DUP flag — which the pipeline's PublishGuard clears anyway, because Moquette
 * mishandles it; {@link EdgeportPostOffice} asks {@link #takeDuplicate}). PublishGuard catches resends within one
 * broker run before they reach Moquette; this map is what still knows the ids after a restart or a crash: for
 * persistent sessions they are in the store, recorded before the PUBREC leaves (the PUBREC waits for the store) and
 * forgotten at the PUBREL.
 *
 * <p>Moquette calls {@code put} (first step of an incoming QoS 2 PUBLISH), {@code remove} (PUBREL) and
 * {@code values} (clean-up); confined to the session's loop.
 */
public final class ReceivedQos2 extends HashMap<Integer, MqttPublishMessage> {

    private static final long serialVersionUID = 1L;
    /** Null for a clean session: nothing outlives it. */
    private final transient DurableState store;
    private final String clientId;
    private final Set<Integer> duplicates = new HashSet<>();

    public ReceivedQos2(DurableState store, String clientId) {
        this.store = store;
        this.clientId = clientId;
    }

    @Override
    public MqttPublishMessage put(Integer packetId, MqttPublishMessage msg) {
        boolean known = containsKey(packetId) || store != null && store.qos2Received(clientId, packetId);
        if (known) {
            duplicates.add(packetId);
        } else {
            duplicates.remove(packetId);
            if (store != null && !known) {
                store.qos2Mark(clientId, packetId);
            }
        }
        return super.put(packetId, msg);
    }

    @Override
    public MqttPublishMessage remove(Object packetId) {
        if (packetId instanceof Integer id) {
            duplicates.remove(id);
            if (store != null) {
                store.qos2Clear(clientId, id);
            }
        }
        return super.remove(packetId);
    }

    /** @return whether the PUBLISH just put with this id is a resend of one already routed (and forgets it) */
    public boolean takeDuplicate(int packetId) {
        return duplicates.remove(packetId);
    }
}
