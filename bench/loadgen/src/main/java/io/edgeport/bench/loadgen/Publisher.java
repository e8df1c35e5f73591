package io.edgeport.bench.loadgen;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * Publishes sequence-numbered messages on its own topic, as fast as the socket takes them (Netty channel
 * writability is the back-pressure) or paced to a rate, with at most {@code window} QoS 1 messages unacknowledged.
 * Remembers which sequence numbers the broker acknowledged (PUBACK), to find acknowledged-then-lost messages.
 * Event-loop confined (see {@link Client}).
 */
final class Publisher extends Client {

    private static final int BATCH = 128;

    final int id;
    final byte[] topic;
    final int qos;
    final int window;
    /** Messages per second for this publisher; 0 = full speed. */
    final double rate;
    private final byte[] template;

    boolean running;
    long sent;
    long acked;
    long strayAcks;
    final BitSet ackedSeqs = new BitSet();
    private int inflight;
    private final long[] pidSeq = new long[65536];
    private int nextPid = 1;
    private long startNanos;
    private ScheduledFuture<?> ticker;
    private boolean pumpQueued;

    Publisher(String clientId, int id, String topic, int qos, int window, double rate, int size) {
        super(clientId);
        this.id = id;
        this.topic = topic.getBytes(StandardCharsets.UTF_8);
        this.qos = qos;
        this.window = window;
        this.rate = rate;
        this.template = Wire.template(id, size);
        Arrays.fill(pidSeq, -1);
    }

    /** Starts publishing; call on the event loop. */
    void start() {
        running = true;
        startNanos = System.nanoTime();
        if (rate > 0) {
            ticker = channel.eventLoop().scheduleAtFixedRate(this::pump, 0, 1, TimeUnit.MILLISECONDS);
        } else {
            pump();
        }
    }

    /** Stops publishing; call on the event loop. */
    void stop() {
        running = false;
        if (ticker != null) {
            ticker.cancel(false);
        }
    }

    void pump() {
        pumpQueued = false;
        if (!running || !channel.isActive()) {
            return;
        }
        long allowed = rate > 0 ? (long) ((System.nanoTime() - startNanos) * rate / 1e9) + 1 : Long.MAX_VALUE;
        int max = (int) Math.min(Math.min(BATCH, allowed - sent), qos == 0 ? BATCH : window - inflight);
        if (max <= 0 || !channel.isWritable()) {
            return;
        }
        int n = 0;
        ByteBuf b = channel.alloc().ioBuffer(Wire.publishSize(topic, qos, template) * max);
        while (n < max) {
            int pid = 0;
            if (qos > 0) {
                while (pidSeq[nextPid] >= 0) {
                    nextPid = nextPid == 65535 ? 1 : nextPid + 1;
                }
                pid = nextPid;
                nextPid = nextPid == 65535 ? 1 : nextPid + 1;
                pidSeq[pid] = sent;
                inflight++;
            }
            Wire.publish(b, topic, qos, pid, template, sent);
            sent++;
            n++;
        }
        if (n > 0) {
            channel.writeAndFlush(b, voidPromise());
        } else {
            b.release();
        }
        // Full speed, stopped only by the batch limit: come back after the other channels had their turn.
        if (rate == 0 && n == BATCH && !pumpQueued) {
            pumpQueued = true;
            channel.eventLoop().execute(this::pump);
        }
    }

    @Override
    void onPacket(int type, int flags, ByteBuf body) {
        if (type == Wire.PUBACK) {
            int pid = body.getUnsignedShort(0);
            long seq = pidSeq[pid];
            if (seq < 0) {
                strayAcks++;
                return;
            }
            pidSeq[pid] = -1;
            inflight--;
            acked++;
            ackedSeqs.set((int) seq);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        super.channelReadComplete(ctx);
        if (rate == 0 && qos > 0 && !pumpQueued) {
            pump(); // the window opened
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable() && rate == 0 && !pumpQueued) {
            pump();
        }
        super.channelWritabilityChanged(ctx);
    }

    int inflight() {
        return inflight;
    }
}
