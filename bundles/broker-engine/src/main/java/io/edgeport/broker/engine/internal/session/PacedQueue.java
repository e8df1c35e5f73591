package io.edgeport.broker.engine.internal.session;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * is dropped while the subscriber takes messages. A subscriber that takes none for {@link #STUCK_MS} while above
 * {@code high} is stuck: publishers must not wait for it (a pacing hold ends after as long, see {@link AckHold}), so
 * further messages for it are dropped instead of queued — counted, one line a minute — until it takes again; its
 * memory stays bounded whatever is published. Offline sessions are neither paced nor limited (their queue is the
 * point of a persistent session, on disk).
 *
 * <p>The count covers what was queued while this wrapper was in place (a persistent session's backlog from before its
 * reconnect is not counted). Confined to the session's loop, like the queue it wraps.
 */
public final class PacedQueue implements SessionMessageQueue<SessionRegistry.EnqueuedMessage> {

    private static final Logger LOG = LoggerFactory.getLogger(PacedQueue.class);
    private final SessionMessageQueue<SessionRegistry.EnqueuedMessage> delegate;
    private final int high;
    private final int low;
    /** Created on first use: most queues never hold anyone. */
    private Set<Channel> holding;
    private volatile Channel subscriber;
    private int backlog;
    /** When the subscriber last took a message (or was attached). */
    private long lastTaken = System.nanoTime();
    private long dropped;
    private long droppedLogged;
    private long loggedAt;

    /** How long a subscriber above the limit may take nothing before messages for it are dropped. */
    static final long STUCK_MS = 10_000;
    /** QoS 1/2 messages dropped for stuck subscribers, all queues. */
    private static final java.util.concurrent.atomic.LongAdder DROPPED = new java.util.concurrent.atomic.LongAdder();

    /** @return QoS 1/2 messages dropped for stuck subscribers since the broker started (all sessions) */
    public static long droppedForStuckSubscribers() {
        return DROPPED.sum();
    }

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
        lastTaken = System.nanoTime();
    }

    /** The connection went away: its publishers go on at full speed, the queue keeps filling as before. */
    public void detach(Channel channel) {
        if (subscriber == channel) {
            subscriber = null;
            releaseAll();
        }
    }

    /** @return messages queued while this wrapper was in place, not yet taken (racy read from other threads) */
    public int backlog() {
        return backlog;
    }

    int holding() {
        return holding == null ? 0 : holding.size();
    }

    @Override
    public void enqueue(SessionRegistry.EnqueuedMessage message) {
        if (backlog >= high && subscriber != null && System.nanoTime() - lastTaken > STUCK_MS * 1_000_000) {
            message.release(); // the queue's reference: the message is not kept for this subscriber
            dropped++;
            DROPPED.increment();
            logDrops();
            return;
        }
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
        if (m != null) {
            lastTaken = System.nanoTime();
            if (backlog > 0) {
                backlog--;
            }
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

    private void logDrops() {
        long now = System.nanoTime();
        if (loggedAt == 0 || now - loggedAt > 60_000_000_000L) {
            Channel sub = subscriber;
            LOG.info("Client {} has taken no message for {} s with {} queued: {} QoS 1/2 messages for it dropped"
                    + " (max_queued_messages; its publishers go on)", sub == null ? "?"
                    : io.moquette.broker.NettyUtils.clientID(sub), STUCK_MS / 1000, backlog, dropped - droppedLogged);
            droppedLogged = dropped;
            loggedAt = now;
        }
    }

    long dropped() {
        return dropped;
    }
}
