package io.moquette.broker;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.Unpooled;

/**
 * Keeps a clean stop from losing messages that were sent to a persistent session but not yet acknowledged.
 *
 * <p>Moquette 0.17 holds a session's in-flight messages (sent, no PUBACK/PUBREC yet) in memory only; its persistent
 * queue holds just what was never sent. A stop therefore loses them, although the publisher got its PUBACK long ago.
 * Before the queues are closed, this puts them back at the <em>head</em> of the session's persistent queue, in the
 * order they were sent, ahead of what was queued while offline, so that after a restart they are delivered first (as
 * new messages: DUP=0 and new packet ids, because the queue keeps neither).
 *
 * <p>Messages in the second QoS 2 step (PUBREC received, PUBCOMP outstanding) are not put back: the client already
 * has them; only the PUBREL is lost, as before.
 *
 * <p>Runs each session's work on that session's own loop (the in-flight window is a plain HashMap owned by it) and
 * waits for all of them, at most {@code timeoutMillis} in total. Call after the listeners are closed and before the
 * session registry and the store are closed.
 */
final class InflightRequeue {

    private static final Logger LOG = LoggerFactory.getLogger(InflightRequeue.class);

    private InflightRequeue() {
    }

    /** @return the number of messages put back */
    static int requeueAll(SessionRegistry registry, Collection<ISessionsRepository.SessionData> stored,
                          SessionEventLoopGroup loops, long timeoutMillis) {
        MoquetteInternals.verify();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        int[] count = {0};
        for (ISessionsRepository.SessionData data : stored) {
            String clientId = data.clientId();
            Session session = registry.retrieve(clientId);
            if (session == null || session.isClean()) {
                continue;
            }
            PostOffice.RouteResult r = loops.routeCommand(clientId, "requeueInflight", () -> {
                int n = requeue(session);
                synchronized (count) {
                    count[0] += n;
                }
                return clientId;
            });
            if (r.isSuccess()) {
                pending.add(r.completableFuture());
            } else {
                LOG.warn("Could not save the in-flight messages of {}: its session loop is full", clientId);
            }
        }
        try {
            CompletableFuture.allOf(pending.toArray(new CompletableFuture[0])).get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("Saving in-flight messages did not finish ({}); some may be lost", e.toString());
        }
        synchronized (count) {
            if (count[0] > 0) {
                LOG.info("Put {} unacknowledged in-flight message(s) back into persistent queues", count[0]);
            }
            return count[0];
        }
    }

    /** On the session's loop. */
    static int requeue(Session session) {
        Map<Integer, SessionRegistry.EnqueuedMessage> window = MoquetteInternals.inflightWindow(session);
        List<SessionRegistry.PublishedMessage> inflight = new ArrayList<>();
        for (int id : sendOrder(window.keySet())) {
            if (window.get(id) instanceof SessionRegistry.PublishedMessage) {
                inflight.add((SessionRegistry.PublishedMessage) window.get(id));
            }
        }
        if (inflight.isEmpty()) {
            return 0;
        }
        SessionMessageQueue<SessionRegistry.EnqueuedMessage> queue = MoquetteInternals.queue(session);
        List<SessionRegistry.EnqueuedMessage> queued = new ArrayList<>();
        // isEmpty() first: Moquette 0.17's H2 queue compares its head and tail AtomicLongs with equals (identity), so
        // dequeue() on an empty queue returns null but still advances the tail past the head, which would make the
        // next message enqueued invisible.
        while (!queue.isEmpty()) {
            SessionRegistry.EnqueuedMessage m = queue.dequeue();
            if (m == null) {
                break;
            }
            queued.add(m); // ownership moves to the list and back to the queue below
        }
        for (SessionRegistry.PublishedMessage p : inflight) {
            // A copy: the window keeps its own reference, and the store serialises at commit, after this returns.
            queue.enqueue(new SessionRegistry.PublishedMessage(p.topic, p.publishingQos,
                    Unpooled.copiedBuffer(p.payload), p.retained));
        }
        queued.forEach(queue::enqueue);
        return inflight.size();
    }

    /**
     * Packet ids in the order they were handed out: ascending, except that the counter wraps from 65535 to 1, so the
     * sequence starts after the largest gap between neighbouring ids (in-flight ids are a short run of the cycle).
     */
    static List<Integer> sendOrder(Collection<Integer> ids) {
        List<Integer> sorted = new ArrayList<>(ids);
        sorted.sort(null);
        int n = sorted.size();
        if (n < 2) {
            return sorted;
        }
        int start = 0;
        int widest = sorted.get(0) + 65535 - sorted.get(n - 1); // the gap across the wrap
        for (int i = 1; i < n; i++) {
            int gap = sorted.get(i) - sorted.get(i - 1);
            if (gap > widest) {
                widest = gap;
                start = i;
            }
        }
        List<Integer> out = new ArrayList<>(sorted.subList(start, n));
        out.addAll(sorted.subList(0, start));
        return out;
    }
}
