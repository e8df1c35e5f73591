package io.moquette.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.netty.channel.embedded.EmbeddedChannel;

/**
 * The session loops never drop a command (Moquette 0.17's bounded queues did, losing messages and PUBACKs under load)
 * and push back on the channel that floods them instead.
 */
class BackPressureLoopsTest {

    private final BackPressureLoops loops = new BackPressureLoops(null);

    @AfterEach
    void stop() {
        loops.terminate();
    }

    @Test
    void aFullLoopQueuesEverythingAndPausesTheFloodingChannelUntilItDrained() throws Exception {
        CountDownLatch blocked = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        EmbeddedChannel publisher = new EmbeddedChannel();
        assertThat(publisher.config().isAutoRead()).isTrue();
        loops.routeCommand("client", "block", () -> {
            blocked.await(30, TimeUnit.SECONDS);
            return "client";
        });
        int commands = BackPressureLoops.HIGH_WATERMARK * 3;
        BackPressureLoops.CURRENT_CHANNEL.set(publisher);
        try {
            for (int i = 0; i < commands; i++) {
                assertThat(loops.routeCommand("client", "count", () -> {
                    ran.incrementAndGet();
                    return "client";
                }).isSuccess()).isTrue();
            }
        } finally {
            BackPressureLoops.CURRENT_CHANNEL.remove();
        }
        assertThat(publisher.config().isAutoRead()).as("paused above the high watermark").isFalse();
        assertThat(loops.pauses.get()).isPositive();

        blocked.countDown();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (ran.get() < commands && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertThat(ran.get()).as("every command ran: none dropped").isEqualTo(commands);
        while (!publisher.config().isAutoRead() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertThat(publisher.config().isAutoRead()).as("resumed once drained").isTrue();
        publisher.finishAndReleaseAll();
    }

    @Test
    void acknowledgementsOvertakeQueuedPublishes() throws Exception {
        CountDownLatch blocked = new CountDownLatch(1);
        StringBuilder order = new StringBuilder();
        loops.routeCommand("client", "block", () -> {
            blocked.await(30, TimeUnit.SECONDS);
            return "client";
        });
        for (int i = 0; i < 100; i++) {
            loops.routeCommand("client", "PUB QoS1", () -> {
                synchronized (order) {
                    order.append('p');
                }
                return "client";
            });
        }
        CountDownLatch acked = new CountDownLatch(1);
        loops.routeCommand("client", "PUB ACK", () -> {
            synchronized (order) {
                order.append('A');
            }
            acked.countDown();
            return "client";
        });
        blocked.countDown();
        assertThat(acked.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(200);
        synchronized (order) {
            assertThat(order.toString()).startsWith("A").hasSize(101);
        }
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
        CountDownLatch done = new CountDownLatch(1);
        for (int i = 0; i < 100; i++) {
            int n = i;
            loops.routeCommand("c", "n", () -> {
                order.append(n).append(',');
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
    }
}
