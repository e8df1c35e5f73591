package io.moquette.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.api.Test;

/**
 * Pins the Moquette 0.17 internals the in-flight fixes read by reflection: an upgrade that renames them fails here.
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
}
