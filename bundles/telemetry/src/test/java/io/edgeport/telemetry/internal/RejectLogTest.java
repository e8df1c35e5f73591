package io.edgeport.telemetry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class RejectLogTest {

    @Test
    void oncePerTopicPerMinute() {
        AtomicLong now = new AtomicLong(1_000);
        RejectLog log = new RejectLog(now::get);
        assertThat(log.rejected("s", "a", "bad")).isTrue();
        assertThat(log.rejected("s", "a", "bad")).isFalse();
        assertThat(log.rejected("s", "b", "bad")).as("other topic").isTrue();
        now.addAndGet(TimeUnit.SECONDS.toNanos(59));
        assertThat(log.rejected("s", "a", "bad")).isFalse();
        now.addAndGet(TimeUnit.SECONDS.toNanos(2));
        assertThat(log.rejected("s", "a", "bad")).isTrue();
    }

    @Test
    void manyTopicsDoNotGrowWithoutBound() {
        RejectLog log = new RejectLog(() -> 0L);
        for (int i = 0; i < RejectLog.MAX_TOPICS * 3; i++) {
            log.rejected("s", "t/" + i, "bad");
        }
        assertThat(log.rejected("s", "t/" + (RejectLog.MAX_TOPICS * 3 - 1), "bad")).isFalse();
    }
}
