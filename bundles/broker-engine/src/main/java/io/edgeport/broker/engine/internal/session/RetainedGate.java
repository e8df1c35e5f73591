package io.edgeport.broker.engine.internal.session;

import io.moquette.broker.IRetainedRepository;
import io.moquette.broker.RetainedMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.moquette.broker.subscriptions.Topic;
import io.netty.handler.codec.mqtt.MqttPublishMessage;

/**
 * The retained store as Moquette's {@link PostOffice} sees it under {@link EdgeportPostOffice}, which takes over
 * every retained-store decision Moquette 0.17 gets wrong.
 * <ul>
 * <li>Writes ({@link #retain}, {@link #cleanRetained}) reach the real store only while the calling thread is inside
 * {@link #allowWrites}: the QoS 1/2 paths, whose store updates are right. Everything else is dropped, above all the
 * wipe Moquette performs after routing a QoS 0 retained PUBLISH (it runs asynchronously, on whichever session loop
 * completes the routing last, so it could even wipe a newer message stored meanwhile).</li>
 * <li>Reads ({@link #retainedOnTopic}) made inside {@link #captureReads} return nothing and record the filter: that is
 * how {@link EdgeportPostOffice} learns which filters a SUBSCRIBE was granted, and stops Moquette from replaying
 * retained messages itself (it would send them with RETAIN=0 at QoS 1/2, once per overlapping filter). Reads outside
 * go to the real store.</li>
 * </ul>
 * Both scopes are per thread (Moquette makes these calls synchronously on the thread running the PostOffice method),
 * so concurrent session loops do not see each other's scopes. Thread-safe.
 */
public final class RetainedGate implements IRetainedRepository {

    private final IRetainedRepository store;
    private final ThreadLocal<Boolean> writable = new ThreadLocal<>();
    private final ThreadLocal<List<String>> captured = new ThreadLocal<>();

    public RetainedGate(IRetainedRepository store) {
        this.store = store;
    }

    /** Runs {@code action} with store writes let through on this thread. */
    public <T> T allowWrites(Supplier<T> action) {
        writable.set(Boolean.TRUE);
        try {
            return action.get();
        } finally {
            writable.remove();
        }
    }

    /** Runs {@code action}; retained lookups it makes on this thread return nothing. @return their filters, in order */
    public List<String> captureReads(Runnable action) {
        List<String> filters = new ArrayList<>();
        captured.set(filters);
        try {
            action.run();
        } finally {
            captured.remove();
        }
        return filters;
    }

    @Override
    public void cleanRetained(Topic topic) {
        if (writable.get() != null) {
            store.cleanRetained(topic);
        }
    }

    @Override
    public void retain(Topic topic, MqttPublishMessage msg) {
        if (writable.get() != null) {
            store.retain(topic, msg);
        }
    }

    @Override
    public boolean isEmpty() {
        return store.isEmpty();
    }

    @Override
    public List<RetainedMessage> retainedOnTopic(String topicFilter) {
        List<String> filters = captured.get();
        if (filters != null) {
            filters.add(topicFilter);
            return List.of();
        }
        return store.retainedOnTopic(topicFilter);
    }
}
