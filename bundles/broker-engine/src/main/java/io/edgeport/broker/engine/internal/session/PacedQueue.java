package io.edgeport.broker.engine.internal.session;

import io.edgeport.broker.engine.internal.pipeline.AckHold;
import io.moquette.broker.EventLoopSessions;
import io.moquette.broker.SessionMessageQueue;
import io.moquette.broker.SessionRegistry;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

import io.netty.channel.Channel;

/**
 * A connected client's message queue that paces the publishers feeding it. Moquette queues a QoS 1/2 message for a
 * subscriber whose in-flight window is full; with publishers faster than the subscriber the queue grows without bound
 * and, because the broker's one thread spends its time taking in publishes, the subscriber gets ever less of it
 * (8 QoS 1 publishers into one subscriber: 18,000 msg/s accepted, 740 msg/s delivered). Above {@code high} messages
 * queued (max_queued_messages) the publisher whose message is being queued gets its acknowledgements held
 * ({@link AckHold}) until the queue is down to a quarter of that: publishers run at the subscriber's pace and nothing
 * is dropped. Offline sessions are not paced (their queue is the point of a persistent session).
 *
 * <p>The count covers what was queued while this wrapper was in place (a persistent session's backlog from before its
 * reconnect is not counted). Confined to the session's loop, like the queue it wraps.
 */
public final class PacedQueue implements SessionMessageQueue<SessionRegistry.EnqueuedMessage> {

    private final SessionMessageQueue<SessionRegistry.EnqueuedMessage> delegate;
    private final int high;
    private final int low;
    /** Created on first use: most queues never hold anyone. */
    private Set<Channel> holding;
    private volatile Channel subscriber;
    private int backlog;

    public PacedQueue(SessionMessageQueue<SessionRegistry.EnqueuedMessage> delegate, int high) {
        this.delegate = delegate;
        this.high = Math.max(1, high);
        this.low = this.high / 4;
    }

    SessionMessageQueue<SessionRegistry.EnqueuedMessage> delegate() {
        return delegate;
    }

    /** The connection now bound to the session (its own publishes are never held: it must keep acknowledging). */
    public void attach(Channel channel) {
        subscriber = channel;
    }

    /** The connection went away: its publishers go on at full speed, the queue keeps filling as before. */
    public void detach(Channel channel) {
        if (subscriber == channel) {
            subscriber = null;
            releaseAll();
        }
    }

    int backlog() {
        return backlog;
    }

    int holding() {
        return holding == null ? 0 : holding.size();
    }

    @Override
    public void enqueue(SessionRegistry.EnqueuedMessage message) {
        delegate.enqueue(message);
        backlog++;
        if (backlog > high) {
            Channel sub = subscriber;
            Channel publisher = EventLoopSessions.CURRENT_CHANNEL.get();
            if (holding == null) {
                holding = Collections.newSetFromMap(new IdentityHashMap<>(4));
            }
            if (sub != null && sub.isActive() && publisher != null && publisher != sub && holding.add(publisher)) {
                AckHold.hold(publisher, this);
            }
        }
    }

    @Override
    public SessionRegistry.EnqueuedMessage dequeue() {
        SessionRegistry.EnqueuedMessage m = delegate.dequeue();
        if (m != null && backlog > 0) {
            backlog--;
        }
        if (backlog <= low && holding() > 0) {
            releaseAll();
        }
        return m;
    }

    @Override
    public boolean isEmpty() {
        return delegate.isEmpty();
    }

    @Override
    public void closeAndPurge() {
        releaseAll();
        delegate.closeAndPurge();
    }

    private void releaseAll() {
        if (holding == null) {
            return;
        }
        for (Channel ch : holding) {
            AckHold.release(ch, this);
        }
        holding.clear();
    }
}
