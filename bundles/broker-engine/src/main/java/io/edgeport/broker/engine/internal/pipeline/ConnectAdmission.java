package io.edgeport.broker.engine.internal.pipeline;

import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.util.ReferenceCountUtil;

/**
 * Holds CONNECTs while the broker does not admit clients yet (at start, until the security providers configured then
 * are in place: see the broker's {@code StartupAdmission}), and passes them on, in order, once it does. A client
 * that connects early waits for its CONNACK instead of being refused by an authenticator that is not there yet.
 *
 * <p>Only the CONNECT waits here: what a client sends behind it is held by Moquette's {@code ConnectedGate} (which
 * stops reading the channel meanwhile), so a held connection costs one packet. A connection that closes while held is
 * forgotten and its CONNECT released.
 *
 * <p>One {@link Gate} per broker; one handler per channel from {@link Gate#newHandler()}, placed before
 * {@link ConnectGuard} (so the CONNECT is checked and authenticated only when it is let through). The handler runs on
 * its channel's event loop; {@link Gate#open()} may be called from any thread.
 */
public final class ConnectAdmission extends ChannelInboundHandlerAdapter {

    /** Whether clients are admitted; shared by all channels and listeners of a broker. Thread-safe. */
    public static final class Gate {
        private volatile boolean open;
        private final Set<ConnectAdmission> waiting = ConcurrentHashMap.newKeySet();

        /** @param open true: admit at once (no handler is needed at all then) */
        public Gate(boolean open) {
            this.open = open;
        }

        public boolean isOpen() {
            return open;
        }

        /** Admits clients from now on and lets every held CONNECT go on (each on its channel's loop). Idempotent. */
        public void open() {
            open = true;
            for (ConnectAdmission w : waiting) {
                w.release();
            }
        }

        /** @return connections whose CONNECT is held right now */
        public int waiting() {
            return waiting.size();
        }

        public ConnectAdmission newHandler() {
            return new ConnectAdmission(this);
        }
    }

    private final Gate gate;
    /** Confined to the channel's event loop. */
    private final ArrayDeque<Object> held = new ArrayDeque<>(1);
    private ChannelHandlerContext ctx;

    private ConnectAdmission(Gate gate) {
        this.gate = gate;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (held.isEmpty() && (gate.isOpen() || !(msg instanceof MqttConnectMessage))) {
            ctx.fireChannelRead(msg); // anything but a CONNECT is Moquette's to refuse
            return;
        }
        held.add(msg);
        gate.waiting.add(this);
        if (gate.isOpen()) {
            release(); // opened between the check and the registration
        }
    }

    private void release() {
        ctx.executor().execute(() -> {
            gate.waiting.remove(this);
            while (!held.isEmpty() && ctx.channel().isActive()) {
                ctx.fireChannelRead(held.poll());
            }
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        gate.waiting.remove(this);
        while (!held.isEmpty()) {
            ReferenceCountUtil.release(held.poll());
        }
        ctx.fireChannelInactive();
    }
}
