package io.edgeport.broker.internal;

import io.edgeport.api.broker.ObservedMessage;
import io.edgeport.broker.engine.ConnectDecision;
import io.edgeport.broker.engine.ConnectInfo;
import io.edgeport.broker.engine.EngineHooks;
import io.edgeport.broker.engine.EngineMessage;

/**
 * What the broker answers its engine: security decisions from the {@link AuthBridge}, accepted messages to the
 * {@link ObserverHub}. Thread-safe (both are).
 */
final class BrokerHooks implements EngineHooks {

    private final AuthBridge auth;
    private final ObserverHub hub;

    BrokerHooks(AuthBridge auth, ObserverHub hub) {
        this.auth = auth;
        this.hub = hub;
    }

    @Override
    public ConnectDecision authenticate(ConnectInfo connect) {
        return auth.authenticate(connect);
    }

    @Override
    public boolean mayLeaveWill(String clientId, String willTopic) {
        return auth.mayLeaveWill(clientId, willTopic);
    }

    @Override
    public boolean mayPublish(String clientId, String identity, String topic) {
        return auth.mayPublish(clientId, identity, topic);
    }

    @Override
    public boolean maySubscribe(String clientId, String identity, String filter) {
        return auth.maySubscribe(clientId, identity, filter);
    }

    @Override
    public boolean mayReceive(String clientId, String identity, String topic) {
        return auth.mayReceive(clientId, identity, topic);
    }

    /** Never blocks: the hub only offers to bounded queues. */
    @Override
    public void onPublish(EngineMessage m) {
        hub.deliver(new ObservedMessage(m.topic(), m.payload(), m.qos(), m.retain(), m.clientId(), m.username(),
                m.received()));
    }
}
