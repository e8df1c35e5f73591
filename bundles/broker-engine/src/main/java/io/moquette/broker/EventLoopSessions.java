package io.moquette.broker;

import io.edgeport.broker.engine.internal.pipeline.AckHold;
import io.edgeport.broker.engine.internal.pipeline.PeerErrors;
import io.edgeport.broker.engine.internal.pipeline.ReadGate;
import io.edgeport.broker.engine.internal.session.PacedQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.moquette.interception.BrokerInterceptor;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.SingleThreadEventExecutor;

/**
 * Moquette's session loops, run on the broker's Netty I/O threads instead of threads of their own.
 *
 * <p>Moquette 0.17 serialises everything that touches a session (a client's PUBLISH, a PUBACK, a delivery to a
 * subscriber) on one of a few "session loop" threads, fed through bounded queues by the Netty I/O threads; under load
 * it dropped commands when a queue was full (lost PUBLISH and PUBACK, stalled sessions), and every message crossed
 * threads twice (I/O thread → session loop → I/O thread for the write). On a one-core appliance those hand-offs are
 * scheduler round trips of several milliseconds: a QoS 1 subscriber with 20 messages in flight got ~1,200 msg/s.
 *
 * <p>Here session loop <i>i</i> <em>is</em> Netty I/O thread <i>i</i> (one per core). A command for a session whose
 * loop is the current thread runs at once, inline, so a publisher and a subscriber served by the same thread cost no
 * hand-off at all (with one core: every client, as in Mosquitto's single thread). A command for another loop is queued
 * to that event loop's task queue; commands of one session keep their order because they always go to the same
 * loop. Nothing is dropped: when the target loop has more than {@link #HIGH_WATERMARK} tasks waiting, the channel
 * whose packet is being handled stops reading ({@link ReadGate#LOOP}) and a marker queued behind those tasks resumes
 * it once the loop is down to {@link #LOW_WATERMARK}; TCP pushes back on that publisher. A command that throws is
 * reported in one line (see {@link #reportTo}) and the loop goes on.
 *
 * <p>Why in Moquette's package (the package-private members it touches): it extends the package-private
 * {@code SessionEventLoopGroup} (its constructor, {@code routeCommand}, {@code terminate}, {@code getEventLoopCount})
 * and builds the package-private {@code SessionCommand} and {@code PostOffice.RouteResult}.
 */
public final class EventLoopSessions extends SessionEventLoopGroup {

    private static final Logger LOG = LoggerFactory.getLogger(EventLoopSessions.class);
    static final int HIGH_WATERMARK = 4_096;
    static final int LOW_WATERMARK = 1_024;
    /** The channel whose inbound packet the current I/O thread is handing to Moquette (set by ConnectedGate). */
    public static final ThreadLocal<Channel> CURRENT_CHANNEL = new ThreadLocal<>();
    /** The PUBLISH the current I/O thread is handing to Moquette (set by EdgeportMqttHandler). */
    static final ThreadLocal<io.netty.handler.codec.mqtt.MqttPublishMessage> CURRENT_PUBLISH = new ThreadLocal<>();
    /** On a session loop: whether the post office took the PUBLISH of the command that runs. */
    private static final ThreadLocal<boolean[]> TAKEN = ThreadLocal.withInitial(() -> new boolean[1]);

    /** Called by the post office when it takes a QoS 0/1 PUBLISH (it releases it from then on). */
    static void publishTaken() {
        TAKEN.get()[0] = true;
    }

    private final NioEventLoopGroup group;
    private final EventLoop[] loops;
    final AtomicLong pauses = new AtomicLong();
    /** Where a failed command is reported (one rate-limited line); null: logged here, one line each. */
    private volatile PeerErrors errors;

    /** @param threads I/O threads (and session loops); at least 1 */
    EventLoopSessions(BrokerInterceptor interceptor, int threads) {
        super(interceptor, 1);
        super.terminate(); // Moquette's own threads and bounded queues are not used
        group = new NioEventLoopGroup(Math.max(1, threads), new DefaultThreadFactory("edgeport-io", true));
        loops = new EventLoop[group.executorCount()];
        int i = 0;
        for (io.netty.util.concurrent.EventExecutor e : group) {
            loops[i++] = (EventLoop) e;
        }
    }

    /** Failed commands are reported to {@code errors} from now on. */
    void reportTo(PeerErrors errors) {
        this.errors = errors;
    }

    /** The group the acceptor registers client channels with. */
    NioEventLoopGroup group() {
        return group;
    }

    @Override
    int targetQueueOrdinal(String clientId) {
        return Math.abs(clientId.hashCode() % loops.length);
    }

    @Override
    public int getEventLoopCount() {
        return loops.length;
    }

    @Override
    public PostOffice.RouteResult routeCommand(String clientId, String actionDescription, Callable<String> action) {
        if (clientId == null) {
            LOG.warn("Routing collision for action [{}]", actionDescription);
            return PostOffice.RouteResult.failed(null, "Seems awaiting new route feature completion, skipping.");
        }
        SessionCommand cmd = new SessionCommand(clientId, action);
        // Moquette 0.17's "PUB QoS0/1" commands retain the message for the loop and return without releasing it when
        // the connection is no longer bound to its session (it closed or was taken over meanwhile): a leaked buffer
        // per message (Netty's LEAK report under fuzzing). The retain is released here when the post office did not
        // take the message.
        io.netty.handler.codec.mqtt.MqttPublishMessage pub = actionDescription != null
                && (actionDescription.equals("PUB QoS0") || actionDescription.equals("PUB QoS1"))
                        ? CURRENT_PUBLISH.get() : null;
        FutureTask<String> task = new FutureTask<>(pub == null ? () -> {
            cmd.execute();
            cmd.complete();
            return cmd.getSessionId();
        } : () -> {
            boolean[] taken = TAKEN.get();
            boolean outer = taken[0];
            taken[0] = false;
            try {
                cmd.execute();
                cmd.complete();
                return cmd.getSessionId();
            } finally {
                if (!taken[0] && pub.refCnt() > 0) {
                    pub.release();
                }
                taken[0] = outer;
            }
        });
        EventLoop target = loops[targetQueueOrdinal(clientId)];
        if (target.inEventLoop()) {
            run(task);
            return PostOffice.RouteResult.success(clientId, cmd.completableFuture());
        }
        if (target.isShuttingDown()) {
            LOG.debug("Session loop is stopping; dropping {} for {}", actionDescription, clientId);
            return PostOffice.RouteResult.failed(clientId);
        }
        Channel ch = CURRENT_CHANNEL.get();
        if (ch == null) {
            target.execute(() -> run(task));
        } else {
            // The packet's channel travels with the command: a queue it overfills holds that publisher (PacedQueue),
            // and its acknowledgements wait until the command ran (what it stores is part of what they promise).
            AckHold hold = AckHold.of(ch);
            if (hold != null) {
                hold.routed();
            }
            try {
                target.execute(() -> {
                    Channel before = CURRENT_CHANNEL.get();
                    CURRENT_CHANNEL.set(ch);
                    try {
                        run(task);
                    } finally {
                        CURRENT_CHANNEL.set(before);
                        if (hold != null) {
                            hold.routeDone();
                        }
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                if (hold != null) {
                    hold.routeDone();
                }
                LOG.debug("Session loop is stopping; dropping {} for {}", actionDescription, clientId);
                return PostOffice.RouteResult.failed(clientId);
            }
        }
        if (ch != null && pending(target) >= HIGH_WATERMARK && ReadGate.pause(ch, ReadGate.LOOP)) {
            pauses.incrementAndGet();
            target.execute(new Resume(target, ch));
        }
        return PostOffice.RouteResult.success(clientId, cmd.completableFuture());
    }

    private static int pending(EventLoop loop) {
        return loop instanceof SingleThreadEventExecutor ? ((SingleThreadEventExecutor) loop).pendingTasks() : 0;
    }

    void run(FutureTask<String> task) {
        task.run();
        try {
            task.get();
        } catch (ExecutionException e) {
            // Moquette failing on what a client sent (seen under fuzzing): one rate-limited line, never a stack trace
            // at WARN, or a flood of bad packets fills the disk. The trace is at DEBUG.
            PeerErrors report = errors;
            Channel ch = CURRENT_CHANNEL.get();
            String what = "session command failed: " + PeerErrors.describe(e.getCause());
            if (report != null) {
                report.report(PeerErrors.Reason.INTERNAL_ERROR, ch == null ? null : ch.remoteAddress(), what);
            } else {
                LOG.warn("{} on {}; the loop goes on", what, Thread.currentThread().getName());
            }
            LOG.debug("Session command failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.CancellationException e) {
            // nothing to report
        }
    }

    /** Queued behind the backlog that paused a channel: runs when all of it ran, resumes once the loop caught up. */
    private static final class Resume implements Runnable {
        private final EventLoop loop;
        private final Channel channel;

        Resume(EventLoop loop, Channel channel) {
            this.loop = loop;
            this.channel = channel;
        }

        @Override
        public void run() {
            if (pending(loop) > LOW_WATERMARK && channel.isOpen() && !loop.isShuttingDown()) {
                loop.execute(this);
            } else {
                ReadGate.resume(channel, ReadGate.LOOP);
            }
        }
    }

    /** Stops the I/O threads once what is queued ran (at most a few seconds). Call after the listeners closed. */
    @Override
    public void terminate() {
        try {
            if (!group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS)) {
                LOG.warn("I/O threads did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
