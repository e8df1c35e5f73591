package io.moquette.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.netty.channel.embedded.EmbeddedChannel;

/**
 * The session loops run on the I/O threads: a command for the current thread's own session runs inline, commands of
 * one client keep their order, nothing is dropped (Moquette 0.17's bounded queues dropped messages and PUBACKs under
 * load), and a channel that floods another loop is paused until that loop caught up.
 */
class EventLoopSessionsTest {

    private final EventLoopSessions loops = new EventLoopSessions(null, 2);

    @AfterEach
    void stop() {
        loops.terminate();
    }

    /** A client id whose session lives on the given loop. */
    private String clientOn(int loop) {
        for (int i = 0; ; i++) {
            if (loops.targetQueueOrdinal("c" + i) == loop) {
                return "c" + i;
            }
        }
    }

    @Test
    void aFullLoopQueuesEverythingAndPausesTheFloodingChannelUntilItDrained() throws Exception {
        String busy = clientOn(1);
        CountDownLatch blocked = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        EmbeddedChannel publisher = new EmbeddedChannel();
        assertThat(publisher.config().isAutoRead()).isTrue();
        loops.routeCommand(busy, "block", () -> {
            blocked.await(30, TimeUnit.SECONDS);
            return busy;
        });
        int commands = EventLoopSessions.HIGH_WATERMARK * 3;
        EventLoopSessions.CURRENT_CHANNEL.set(publisher);
        try {
            for (int i = 0; i < commands; i++) {
                assertThat(loops.routeCommand(busy, "count", () -> {
                    ran.incrementAndGet();
                    return busy;
                }).isSuccess()).isTrue();
            }
        } finally {
            EventLoopSessions.CURRENT_CHANNEL.remove();
        }
        assertThat(publisher.config().isAutoRead()).as("paused above the high watermark").isFalse();
        assertThat(loops.pauses.get()).isPositive();

        blocked.countDown();
        await("every command ran").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                .until(ran::get, n -> n >= commands);
        assertThat(ran.get()).as("every command ran: none dropped").isEqualTo(commands);
        await("resumed once drained").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                .until(() -> publisher.config().isAutoRead());
        publisher.finishAndReleaseAll();
    }

    /**
     * A PUBACK written while a delivery of its message waits on another (busy) loop must wait for that delivery: the
     * subscriber's copy is stored only when it runs, and a PUBACK durable before it promised a message a kill loses.
     */
    @Test
    void anAcknowledgementWaitsForTheDeliveriesItsPacketRoutedToAnotherLoop() throws Exception {
        String subscriber = clientOn(1);
        java.util.concurrent.Semaphore commits = new java.util.concurrent.Semaphore(1_000);
        io.edgeport.broker.engine.internal.store.GroupCommit gc = new io.edgeport.broker.engine.internal.store
                .GroupCommit("test-commit", null, commits::acquire, 1);
        EmbeddedChannel publisher = new EmbeddedChannel(
                new io.edgeport.broker.engine.internal.pipeline.AckHold(gc));
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch delivered = new CountDownLatch(1);
        try {
            loops.routeCommand(subscriber, "busy", () -> {
                blocked.await(30, TimeUnit.SECONDS);
                return subscriber;
            });
            EventLoopSessions.CURRENT_CHANNEL.set(publisher);
            try {
                loops.routeCommand(subscriber, "deliver", () -> {
                    delivered.countDown();
                    return subscriber;
                });
            } finally {
                EventLoopSessions.CURRENT_CHANNEL.remove();
            }
            publisher.writeAndFlush(new io.netty.handler.codec.mqtt.MqttMessage(
                    new io.netty.handler.codec.mqtt.MqttFixedHeader(io.netty.handler.codec.mqtt.MqttMessageType.PUBACK,
                            false, io.netty.handler.codec.mqtt.MqttQoS.AT_MOST_ONCE, false, 0),
                    io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader.from(1)));
            long round = gc.completed();
            // group commits keep running (1 ms idle rounds): three rounds pass while the delivery waits
            await("three group commit rounds").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
                    .until(gc::completed, n -> n >= round + 3);
            publisher.runPendingTasks();
            assertThat((Object) publisher.readOutbound()).as("held while the delivery waits on its loop").isNull();

            blocked.countDown();
            assertThat(delivered.await(10, TimeUnit.SECONDS)).isTrue();
            AtomicReference<Object> ack = new AtomicReference<>();
            await("the PUBACK sent once the delivery ran and its commit completed").atMost(Duration.ofSeconds(10))
                    .pollInSameThread().pollInterval(Duration.ofMillis(1)).until(() -> {
                        publisher.runPendingTasks();
                        ack.set(publisher.readOutbound());
                        return ack.get() != null;
                    });
            assertThat(ack.get()).as("sent once the delivery ran and its commit completed").isNotNull();
        } finally {
            blocked.countDown();
            gc.close();
            publisher.finishAndReleaseAll();
        }
    }

    @Test
    void aCommandForTheCurrentLoopRunsInlineAndOneForAnotherLoopRunsThere() throws Exception {
        String here = clientOn(0);
        String there = clientOn(1);
        List<String> trace = new ArrayList<>();
        AtomicReference<String> otherThread = new AtomicReference<>();
        AtomicReference<String> outerThread = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        loops.routeCommand(here, "outer", () -> {
            String me = Thread.currentThread().getName();
            outerThread.set(me);
            trace.add("outer-start");
            loops.routeCommand(here, "nested", () -> {
                trace.add(Thread.currentThread().getName().equals(me) ? "nested-inline" : "nested-elsewhere");
                return here;
            });
            loops.routeCommand(there, "remote", () -> {
                otherThread.set(Thread.currentThread().getName());
                done.countDown();
                return there;
            });
            trace.add("outer-end");
            return here;
        });
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        synchronized (trace) {
            assertThat(trace).containsExactly("outer-start", "nested-inline", "outer-end");
        }
        assertThat(otherThread.get()).startsWith("edgeport-io").isNotEqualTo(outerThread.get());
    }

    @Test
    void aThrowingCommandDoesNotKillTheLoop() throws Exception {
        loops.routeCommand("client", "boom", () -> {
            throw new IllegalStateException("bug in a command");
        });
        CountDownLatch after = new CountDownLatch(1);
        loops.routeCommand("client", "after", () -> {
            after.countDown();
            return "client";
        });
        assertThat(after.await(10, TimeUnit.SECONDS)).as("the loop went on").isTrue();
    }

    @Test
    void commandsOfOneClientRunInOrderOnOneThread() throws Exception {
        StringBuilder order = new StringBuilder();
        List<String> threads = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        for (int i = 0; i < 100; i++) {
            int n = i;
            loops.routeCommand("c", "n", () -> {
                order.append(n).append(',');
                threads.add(Thread.currentThread().getName());
                if (n == 99) {
                    done.countDown();
                }
                return "c";
            });
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            expected.append(i).append(',');
        }
        assertThat(order.toString()).isEqualTo(expected.toString());
        assertThat(threads.stream().distinct()).hasSize(1).allMatch(t -> t.startsWith("edgeport-io"));
    }

    @Test
    void nothingIsAcceptedOnceTheLoopsStopped() {
        loops.terminate();
        assertThat(loops.routeCommand("c", "late", () -> "c").isSuccess()).isFalse();
    }
}
