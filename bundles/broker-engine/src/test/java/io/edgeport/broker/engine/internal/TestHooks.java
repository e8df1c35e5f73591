package io.edgeport.broker.engine.internal;

import io.edgeport.broker.engine.ConnectDecision;
import io.edgeport.broker.engine.ConnectInfo;
import io.edgeport.broker.engine.EngineHooks;

/** Hooks that allow everything; tests override what they look at. */
class TestHooks implements EngineHooks {

    static EngineHooks allowAll() {
        return new TestHooks();
    }

    @Override
    public ConnectDecision authenticate(ConnectInfo connect) {
        return ConnectDecision.accept(connect.username());
    }

    @Override
    public boolean mayLeaveWill(String clientId, String willTopic) {
        return true;
    }

    @Override
    public boolean mayPublish(String clientId, String identity, String topic) {
        return true;
    }

    @Override
    public boolean maySubscribe(String clientId, String identity, String filter) {
        return true;
    }

    @Override
    public boolean mayReceive(String clientId, String identity, String topic) {
        return true;
    }
}
