package io.edgeport.broker.engine.internal.pipeline;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.broker.engine.internal.pipeline.PeerErrors.Reason;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The end of every exception's way through a client pipeline, right before Moquette's handler (which would log each one
 * at ERROR with a stack trace): an exception caused by the peer ({@link PeerErrors#classify}: TLS handshake failures,
 * decoder errors, resets, timeouts) is counted and logged by {@link PeerErrors} as one rate-limited line; any other
 * exception is a fault of the broker's own handlers and counted as {@link Reason#INTERNAL_ERROR} (one line, the stack
 * trace at DEBUG). Either way the connection is closed and nothing is passed on.
 *
 * <p>Shared by all channels; stateless apart from {@link PeerErrors}.
 */
@Sharable
public final class ExceptionSink extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ExceptionSink.class);
    private final PeerErrors errors;

    public ExceptionSink(PeerErrors errors) {
        this.errors = errors;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Reason reason = PeerErrors.classify(cause);
        if (reason == null) {
            reason = Reason.INTERNAL_ERROR;
        }
        errors.report(reason, ctx.channel(), PeerErrors.describe(cause));
        LOG.debug("Exception on the connection of {}", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
