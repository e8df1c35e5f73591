package io.moquette.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;

/** A peer lost mid-write closes quietly; other exceptions still reach Moquette's handler. */
class ConnectedGateTest {

    private static final class Recorder extends ChannelInboundHandlerAdapter {
        final List<Throwable> seen = new ArrayList<>();

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            seen.add(cause);
        }
    }

    @Test
    void ioErrorsCloseTheChannelWithoutReachingMoquette() {
        Recorder moquette = new Recorder();
        EmbeddedChannel ch = new EmbeddedChannel(new ConnectedGate(null, 10, 0), moquette);
        ch.pipeline().fireExceptionCaught(new IOException("Broken pipe"));
        assertThat(moquette.seen).isEmpty();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void otherErrorsStillReachMoquette() {
        Recorder moquette = new Recorder();
        EmbeddedChannel ch = new EmbeddedChannel(new ConnectedGate(null, 10, 0), moquette);
        ch.pipeline().fireExceptionCaught(new IllegalStateException("bug"));
        assertThat(moquette.seen).hasSize(1);
        assertThat(ch.isOpen()).isTrue();
        ch.finishAndReleaseAll();
    }
}
