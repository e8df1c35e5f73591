package io.edgeport.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.edgeport.api.broker.MessageObserver;
import io.edgeport.api.broker.ObservedMessage;

class ObserverHubTest {

    private static ObservedMessage msg(String topic) {
        return new ObservedMessage(topic, new byte[] { 1 }, 0, false, "c", "u", Instant.now());
    }

    @Test
    void stuckObserverLosesOnlyItsOwnMessagesAndCountsThem() throws Exception {
        ObserverHub hub = new ObserverHub();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        MessageObserver stuck = m -> {
            blocked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        List<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(50);
        MessageObserver healthy = m -> {
            seen.add(m.topic());
            all.countDown();
        };
        hub.add(stuck, Map.of(MessageObserver.QUEUE_SIZE, 5));
        hub.add(healthy, Map.of());
        try {
            hub.deliver(msg("t/0"));
            assertThat(blocked.await(5, TimeUnit.SECONDS)).isTrue();
            for (int i = 1; i < 50; i++) {
                hub.deliver(msg("t/" + i));
            }
            assertThat(all.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(seen).hasSize(50).startsWith("t/0", "t/1").endsWith("t/49");
            // 49 offered while stuck, 5 fit the queue: 44 dropped for the stuck observer only.
            assertThat(hub.dropped()).isEqualTo(44);
        } finally {
            release.countDown();
            hub.close();
        }
    }

    @Test
    void removedObserverGetsNothingMore() throws Exception {
        ObserverHub hub = new ObserverHub();
        List<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch one = new CountDownLatch(1);
        MessageObserver o = m -> {
            seen.add(m.topic());
            one.countDown();
        };
        hub.add(o, Map.of(MessageObserver.TOPIC_FILTER, "keep/#"));
        hub.deliver(msg("drop/me"));
        hub.deliver(msg("keep/me"));
        assertThat(one.await(5, TimeUnit.SECONDS)).isTrue();
        hub.remove(o);
        hub.deliver(msg("keep/late"));
        assertThat(hub.size()).isZero();
        await("the removed observer gets nothing more").during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(1))
                .pollInterval(Duration.ofMillis(10)).until(() -> seen.equals(List.of("keep/me")));
        assertThat(seen).containsExactly("keep/me");
        hub.close();
    }
}
