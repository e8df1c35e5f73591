package io.edgeport.broker.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.edgeport.broker.engine.ClientInfo;
import io.edgeport.broker.engine.Engine;
import io.edgeport.broker.engine.EngineCounters;
import io.edgeport.broker.engine.EngineFactory;
import io.edgeport.broker.engine.EngineHooks;
import io.edgeport.broker.engine.EngineSettings;
import io.edgeport.broker.engine.Listener;

/** An engine that records what the broker asks of it; its factory hands out one at a time. */
final class FakeEngine implements Engine {

    final EngineSettings settings;
    final EngineHooks hooks;
    final Map<String, String> retained = new ConcurrentHashMap<>();
    final AtomicInteger admitted = new AtomicInteger();
    volatile boolean observed;
    volatile boolean closed;
    volatile EngineCounters counters = new EngineCounters(2, 5, 3, 100, 90, 1000, 900, 40, 30, 400, 300, 7, 6, 1,
            Map.of("malformed_packet", 12L, "tls_handshake", 0L));

    FakeEngine(EngineSettings settings, EngineHooks hooks) {
        this.settings = settings;
        this.hooks = hooks;
    }

    static final class Factory implements EngineFactory {
        volatile FakeEngine last;

        @Override
        public Engine start(EngineSettings settings, EngineHooks hooks) throws IOException {
            last = new FakeEngine(settings, hooks);
            return last;
        }

        @Override
        public String implementation() {
            return "fake 1";
        }
    }

    @Override
    public void admitClients() {
        admitted.incrementAndGet();
    }

    @Override
    public int boundPort(Listener listener) {
        return closed ? -1 : settings.port(listener);
    }

    @Override
    public List<String> listeners() {
        return closed ? List.of() : List.of("mqtt://" + settings.bindAddress() + ":" + settings.port(Listener.TCP));
    }

    @Override
    public void publish(String topic, byte[] payload, int qos, boolean retain) {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (retain) {
            retained.put(topic, new String(payload, StandardCharsets.UTF_8));
        }
    }

    @Override
    public void observePublishes(boolean on) {
        observed = on;
    }

    @Override
    public EngineCounters counters() {
        return counters;
    }

    @Override
    public List<ClientInfo> connectedClients() {
        return List.of();
    }

    @Override
    public boolean disconnect(String clientId) {
        return false;
    }

    @Override
    public void close() {
        closed = true;
    }
}
