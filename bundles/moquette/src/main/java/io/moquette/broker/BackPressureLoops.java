package io.moquette.broker;

import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.moquette.interception.BrokerInterceptor;
import io.netty.channel.Channel;

/**
 * Moquette's session event loops with back-pressure instead of loss.
 *
 * <p>Moquette 0.17 hands every command (a client's PUBLISH, a PUBACK, a delivery to a subscriber) to one of a few
 * session threads through a bounded queue and, when that queue is full, logs a warning and <em>drops the
 * command</em>: a QoS 0 or QoS 1 message is lost, a subscriber's PUBACK is forgotten (its in-flight slot is never
 * freed and the session stalls for good), a publisher never gets its PUBACK. Under a full-speed load this is where the
 * broker lost 98 % of QoS 0 messages and stalled QoS 1 publishers.
 *
 * <p>Here the queues are unbounded and never drop; instead, a network thread that finds the target queue above
 * {@link #HIGH_WATERMARK} stops reading from the channel whose packet it is handling ({@link ReadGate#LOOP}), so
 * TCP pushes back on that publisher. The session thread resumes every paused channel once its queue is down to
 * {@link #LOW_WATERMARK}. Commands queued by session threads themselves (fan-out to subscribers) are never refused, so
 * session threads never wait on each other. Memory stays bounded because what feeds the queues, the publishers'
 * channels, is paused.
 *
 * <p>A command that throws is logged and the loop goes on (Moquette's loop thread died, taking every session mapped to
 * it along).
 */
final class BackPressureLoops extends SessionEventLoopGroup {

    private static final Logger LOG = LoggerFactory.getLogger(BackPressureLoops.class);
    static final int HIGH_WATERMARK = 2_048;
    static final int LOW_WATERMARK = 512;
    /** The channel whose inbound packet the current network thread is handing to Moquette (set by ConnectedGate). */
    static final ThreadLocal<Channel> CURRENT_CHANNEL = new ThreadLocal<>();

    /**
     * Acknowledgements from clients (and Moquette's flush after a channel became writable) free in-flight slots and
     * let queued deliveries go out; behind thousands of queued PUBLISH commands they starved subscribers while
     * publishers ran (QoS 1 fan-in delivered 400 msg/s). They overtake the PUBLISH commands: nothing orders a
     * client's acknowledgement of an outgoing message against its own incoming publishes.
     */
    static final Set<String> URGENT = Set.of("PUB ACK", "PUBREC", "PUBCOMP", "flushQueues", "writabilityChanged");
    /** Wakes a loop blocked on its main queue when an urgent command arrives. */
    private static final FutureTask<String> WAKE_UP = new FutureTask<>(() -> null);

    private final Loop[] loops;
    final AtomicLong pauses = new AtomicLong();

    BackPressureLoops(BrokerInterceptor interceptor) {
        super(interceptor, 1);
        super.terminate(); // Moquette's own threads and bounded queues are not used
        int n = super.getEventLoopCount();
        loops = new Loop[n];
        for (int i = 0; i < n; i++) {
            loops[i] = new Loop(i);
            loops[i].start();
        }
    }

    @Override
    public PostOffice.RouteResult routeCommand(String clientId, String actionDescription, Callable<String> action) {
        if (clientId == null) {
            LOG.warn("Routing collision for action [{}]", actionDescription);
            return PostOffice.RouteResult.failed(null, "Seems awaiting new route feature completion, skipping.");
        }
        SessionCommand cmd = new SessionCommand(clientId, action);
        FutureTask<String> task = new FutureTask<>(() -> {
            cmd.execute();
            cmd.complete();
            return cmd.getSessionId();
        });
        Loop target = loops[targetQueueOrdinal(clientId)];
        boolean urgent = URGENT.contains(actionDescription);
        Thread current = Thread.currentThread();
        if (current == target) {
            Loop.run(task);
            return PostOffice.RouteResult.success(clientId, cmd.completableFuture());
        }
        if (target.stopped) {
            LOG.debug("Session loop {} is stopped; dropping {} for {}", target.getName(), actionDescription, clientId);
            return PostOffice.RouteResult.failed(clientId);
        }
        if (urgent) {
            target.urgent.add(task);
            if (target.queue.isEmpty()) {
                target.queue.add(WAKE_UP); // the loop may be waiting on its (empty) main queue
            }
            return PostOffice.RouteResult.success(clientId, cmd.completableFuture());
        }
        target.queue.add(task);
        if (!(current instanceof Loop) && target.queue.size() >= HIGH_WATERMARK) {
            Channel ch = CURRENT_CHANNEL.get();
            if (ch != null) {
                target.pause(ch);
            }
        }
        return PostOffice.RouteResult.success(clientId, cmd.completableFuture());
    }

    @Override
    public void terminate() {
        for (Loop l : loops) {
            l.stopped = true;
            l.interrupt();
        }
        for (Loop l : loops) {
            try {
                l.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            l.resumeAll();
        }
    }

    /** Commands waiting, over all loops (for tests and statistics). */
    int queued() {
        int n = 0;
        for (Loop l : loops) {
            n += l.queue.size();
        }
        return n;
    }

    private final class Loop extends Thread {
        final LinkedBlockingQueue<FutureTask<String>> queue = new LinkedBlockingQueue<>();
        final java.util.concurrent.ConcurrentLinkedQueue<FutureTask<String>> urgent =
                new java.util.concurrent.ConcurrentLinkedQueue<>();
        final Set<Channel> paused = ConcurrentHashMap.newKeySet();
        volatile boolean stopped;

        Loop(int i) {
            // MQTTConnection checks the name to know whether it runs on the session's own loop.
            super("Session Executor " + i);
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!stopped || !queue.isEmpty() || !urgent.isEmpty()) {
                for (FutureTask<String> u; (u = urgent.poll()) != null;) {
                    run(u);
                }
                FutureTask<String> task;
                try {
                    task = queue.poll(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    stopped = true; // drain what is queued, then exit (Moquette's flushOnExit)
                    continue;
                }
                if (task != null && task != WAKE_UP) {
                    run(task);
                }
                if (!paused.isEmpty() && queue.size() <= LOW_WATERMARK) {
                    resumeAll();
                }
            }
        }

        static void run(FutureTask<String> task) {
            if (task.isCancelled()) {
                return;
            }
            task.run();
            try {
                task.get();
            } catch (java.util.concurrent.ExecutionException e) {
                LOG.warn("Session command failed on {}; the loop goes on", Thread.currentThread().getName(),
                        e.getCause());
            } catch (InterruptedException | java.util.concurrent.CancellationException e) {
                // cancelled or interrupted: nothing to report
            }
        }

        void pause(Channel ch) {
            if (!ReadGate.paused(ch, ReadGate.LOOP)) {
                paused.add(ch);
                ReadGate.pause(ch, ReadGate.LOOP);
                pauses.incrementAndGet();
                // The loop may have drained the queue between our add and the pause: then nobody would resume.
                if (queue.size() <= LOW_WATERMARK && paused.remove(ch)) {
                    ReadGate.resume(ch, ReadGate.LOOP);
                }
            }
        }

        void resumeAll() {
            for (Channel ch : paused) {
                if (paused.remove(ch)) {
                    ReadGate.resume(ch, ReadGate.LOOP);
                }
            }
        }
    }
}
