package io.moquette.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Pins the Moquette 0.17 internals the in-flight fixes read by reflection: an upgrade that renames them fails here.
 * In package io.moquette.broker (on the test class path only) to reach the package-private requeue order.
 */
class MoquetteInternalsTest {

    @Test
    void theFieldsWeReadExist() {
        assertThatCode(MoquetteInternals::verify).doesNotThrowAnyException();
    }

    @Test
    void aChannelWithoutMoquetteConnectionHasNoCounter() {
        io.netty.channel.embedded.EmbeddedChannel ch = new io.netty.channel.embedded.EmbeddedChannel();
        assertThat(MoquetteInternals.packetIdCounter(ch)).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void requeueOrderFollowsTheIdSequenceAcrossTheWrap() {
        assertThat(InflightRequeue.sendOrder(List.of(3, 1, 2))).containsExactly(1, 2, 3);
        assertThat(InflightRequeue.sendOrder(List.of(1, 65535, 2, 65534))).containsExactly(65534, 65535, 1, 2);
        assertThat(InflightRequeue.sendOrder(List.of(5))).containsExactly(5);
        assertThat(InflightRequeue.sendOrder(List.of())).isEmpty();
    }
}
