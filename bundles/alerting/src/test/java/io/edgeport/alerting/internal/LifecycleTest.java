package io.edgeport.alerting.internal;

import static io.edgeport.alerting.internal.Fixtures.rule;
import static io.edgeport.alerting.internal.Fixtures.temp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeport.api.alerting.Alarm;
import io.edgeport.api.alerting.AlarmEvent;
import io.edgeport.api.alerting.AlarmNotifier;
import io.edgeport.api.alerting.Transition;

/** Persistence across restarts, acknowledgement and notifier delivery. */
class LifecycleTest {

    @TempDir
    Path dir;
    EngineFixture f;
    final List<NotifierDispatcher> dispatchers = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        f = new EngineFixture(dir);
    }

    @AfterEach
    void tearDown() {
        dispatchers.forEach(NotifierDispatcher::close);
        f.close();
    }

    @Test
    void aRestartNeitherRaisesAgainNorLosesTheClear() throws Exception {
        f.engine.putRule(rule("name", "t", "max", 50));
        f.engine.readings(List.of(temp("d1", 60, 0)));
        Alarm raised = f.engine.active().get(0);

        f.restart(); // a new engine on the same database, as after a gateway restart or bundle update
        assertThat(f.engine.active()).containsExactly(raised);
        f.engine.putRule(rule("name", "t", "max", 50));
        f.engine.readings(List.of(temp("d1", 70, 1))); // still violated: no second raise
        assertThat(f.count(Transition.RAISED)).isEqualTo(1);
        f.engine.readings(List.of(temp("d1", 20, 2)));
        assertThat(f.engine.active()).isEmpty();
        assertThat(f.events()).containsExactly("raised d1/temperature", "cleared d1/temperature");
        assertThat(f.engine.find(raised.id())).hasValueSatisfying(a -> {
            assertThat(a.active()).isFalse();
            assertThat(a.clearedAt()).isEqualTo(f.now());
        });

        f.restart();
        assertThat(f.engine.active()).isEmpty();
        assertThat(f.engine.history(10)).extracting(Alarm::id).containsExactly(raised.id());
    }

    @Test
    void acknowledgeOnceAndAcrossARestart() throws Exception {
        f.engine.putRule(rule("name", "t", "max", 50));
        f.engine.readings(List.of(temp("d1", 60, 0)));
        String id = f.engine.active().get(0).id();
        assertThat(f.engine.acknowledge(id, " alice ")).hasValueSatisfying(a -> {
            assertThat(a.acknowledged()).isTrue();
            assertThat(a.acknowledgedBy()).isEqualTo("alice");
            assertThat(a.active()).isTrue();
        });
        assertThat(f.engine.acknowledge(id, "bob")).hasValueSatisfying(
                a -> assertThat(a.acknowledgedBy()).isEqualTo("alice"));
        assertThat(f.engine.acknowledge("no-such-id", "bob")).isEmpty();
        assertThat(f.engine.active().get(0).acknowledged()).isTrue();
        f.restart();
        assertThat(f.engine.active().get(0).acknowledgedBy()).isEqualTo("alice");
        f.engine.putRule(rule("name", "t", "max", 50));
        f.engine.readings(List.of(temp("d1", 20, 1)));
        assertThat(f.engine.find(id)).hasValueSatisfying(a -> {
            assertThat(a.acknowledged()).isTrue();
            assertThat(a.active()).isFalse();
        });
        assertThat(f.events()).containsExactly("raised d1/temperature", "acknowledged d1/temperature",
                "cleared d1/temperature");
    }

    @Test
    void aDurableNotifierGetsWhatHappenedWhileItWasAwayOnceInOrder() throws Exception {
        List<AlarmEvent> got = new CopyOnWriteArrayList<>();
        AlarmNotifier n = got::add;
        f.engine.putRule(rule("name", "t", "max", 50));
        NotifierDispatcher d = start("hook", n);
        f.engine.readings(List.of(temp("d1", 60, 0)));
        await("raise delivered").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> got.size() == 1);
        d.close();

        f.engine.readings(List.of(temp("d1", 20, 1), temp("d2", 99, 1))); // while the notifier is away
        f.restart();
        f.engine.putRule(rule("name", "t", "max", 50));
        f.engine.readings(List.of(temp("d2", 10, 2)));
        start("hook", n);
        await("backlog delivered").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> got.size() == 4);
        assertThat(got).extracting(e -> e.transition() + " " + e.alarm().device()).containsExactly("RAISED d1",
                "CLEARED d1", "RAISED d2", "CLEARED d2");
        assertThat(got).extracting(AlarmEvent::id).doesNotHaveDuplicates();
        assertThat(got.get(0).id()).isEqualTo(got.get(0).alarm().id() + ".raised");
    }

    @Test
    void aFailingNotifierIsRetriedAndDoesNotBlockTheEngineOrOthers() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<AlarmEvent> failingGot = new CopyOnWriteArrayList<>();
        List<AlarmEvent> healthyGot = new CopyOnWriteArrayList<>();
        start("failing", e -> {
            if (calls.incrementAndGet() <= 2) {
                throw new IllegalStateException("receiver down");
            }
            failingGot.add(e);
        });
        start(null, healthyGot::add);
        f.engine.putRule(rule("name", "t", "max", 50));
        for (int i = 0; i < 20; i++) {
            f.engine.readings(List.of(temp("d" + i, 60, i)));
        }
        assertThat(f.engine.active()).hasSize(20); // evaluation did not wait for the failing notifier
        await("healthy notifier done").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> healthyGot.size() == 20);
        await("failing notifier caught up after its retries").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(10)).until(() -> failingGot.size() == 20);
        assertThat(failingGot).extracting(e -> e.alarm().device()).doesNotHaveDuplicates();
        assertThat(calls.get()).isEqualTo(22);
    }

    @Test
    void aNotifierFarBehindItsQueueCatchesUpFromTheDatabaseOnceInOrder() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        List<AlarmEvent> got = new CopyOnWriteArrayList<>();
        NotifierDispatcher d = new NotifierDispatcher("slow", "slow", e -> {
            release.await();
            got.add(e);
        }, f.engine.store(), 1_000, 5);
        f.engine.onEvents(d::offer);
        dispatchers.add(d.start());
        f.engine.putRule(rule("name", "t", "max", 50));
        for (int i = 0; i < 30; i++) { // 60 events while the notifier is stuck in its first call: its queue of 5 overflows
            f.engine.readings(List.of(temp("d" + i, 60, 0)));
            f.engine.readings(List.of(temp("d" + i, 20, 1)));
        }
        release.countDown();
        await("every event delivered").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> got.size() >= 60);
        f.engine.readings(List.of(temp("late", 60, 0))); // and from the queue again once it caught up
        await("the next event delivered").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> got.size() >= 61);
        assertThat(got).hasSize(61).extracting(AlarmEvent::id).doesNotHaveDuplicates();
        for (int i = 0; i < 30; i++) {
            assertThat(got.get(2 * i).id()).isEqualTo(got.get(2 * i).alarm().id() + ".raised");
            assertThat(got.get(2 * i).alarm().device()).isEqualTo("d" + i);
            assertThat(got.get(2 * i + 1).id()).isEqualTo(got.get(2 * i).alarm().id() + ".cleared");
        }
        assertThat(got.get(60).alarm().device()).isEqualTo("late");
        assertThat(d.position()).isEqualTo(f.engine.store().head());
    }

    private NotifierDispatcher start(String name, AlarmNotifier n) throws Exception {
        NotifierDispatcher d = new NotifierDispatcher(name, name == null ? "anon" : name, n, f.engine.store(), 1_000);
        f.engine.onEvents(d::offer);
        dispatchers.add(d);
        return d.start();
    }
}
