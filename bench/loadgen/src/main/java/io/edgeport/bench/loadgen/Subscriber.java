package io.edgeport.bench.loadgen;

import java.util.Arrays;
import java.util.BitSet;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * Subscribes to one filter and checks every delivered benchmark message against its publisher's sequence:
 * delivered, duplicated (sequence number seen before) and reordered (lower than the highest seen so far from that
 * publisher, whose topic is its own). Records end-to-end latency of the messages sent in the measured
 * window, from the payload's send time. Event-loop confined (see {@link Client}).
 */
final class Subscriber extends Client {

    /** Per publisher (= per publisher and topic). */
    static final class Track {
        final BitSet seen = new BitSet();
        long highest = -1;
        long duplicates;
        long reordered;
    }

    private final String filter;
    private final int qos;
    Track[] tracks = new Track[0];
    long received;
    long foreign;
    /** Latency is recorded for messages sent in [latencyFrom, latencyTo), whenever they arrive (also in the drain). */
    long latencyFrom = Long.MAX_VALUE;
    long latencyTo = Long.MAX_VALUE;
    long[] latencies = new long[1024];
    int latencyCount;
    /** PUBACKs of one read burst, written as one buffer. */
    private ByteBuf acks;

    Subscriber(String clientId, String filter, int qos) {
        super(clientId);
        this.filter = filter;
        this.qos = qos;
    }

    @Override
    void connected() {
        subscribe(filter, qos);
    }

    @Override
    void onPacket(int type, int flags, ByteBuf body) {
        if (type == Wire.SUBACK) {
            int granted = body.getUnsignedByte(2);
            if (granted == 0x80) {
                fail("SUBACK refused " + filter);
            } else {
                ready.complete(null);
            }
            return;
        }
        if (type != Wire.PUBLISH) {
            return;
        }
        long now = System.nanoTime();
        int q = (flags >> 1) & 3;
        int at = 2 + body.getUnsignedShort(0);
        if (q > 0) {
            if (acks == null) {
                acks = channel.alloc().ioBuffer(4096);
            }
            Wire.puback(acks, body.getUnsignedShort(at));
            at += 2;
        }
        received++;
        if (body.readableBytes() - at < Wire.MIN_SIZE || body.getByte(at + Wire.ID_AT - 1) != 'p') {
            foreign++;
            return;
        }
        long pub = Wire.getNumber(body, at + Wire.ID_AT, Wire.ID_LEN);
        long seq = Wire.getNumber(body, at + Wire.SEQ_AT, Wire.SEQ_LEN);
        long t = Wire.getNumber(body, at + Wire.T_AT, Wire.T_LEN);
        if (pub < 0 || seq < 0 || seq > Integer.MAX_VALUE) {
            foreign++;
            return;
        }
        Track tr = track((int) pub);
        if (tr.seen.get((int) seq)) {
            tr.duplicates++;
        } else {
            tr.seen.set((int) seq);
        }
        if (seq < tr.highest) {
            tr.reordered++;
        } else {
            tr.highest = seq;
        }
        if (t >= latencyFrom && t < latencyTo) {
            if (latencyCount == latencies.length) {
                latencies = Arrays.copyOf(latencies, latencies.length * 2);
            }
            latencies[latencyCount++] = now - t;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (acks != null) {
            ctx.write(acks, voidPromise());
            acks = null;
        }
        super.channelReadComplete(ctx);
    }

    private Track track(int pub) {
        if (pub >= tracks.length) {
            tracks = Arrays.copyOf(tracks, Math.max(pub + 1, tracks.length * 2));
        }
        Track t = tracks[pub];
        if (t == null) {
            t = tracks[pub] = new Track();
        }
        return t;
    }

    Track trackOrNull(int pub) {
        return pub < tracks.length ? tracks[pub] : null;
    }
}
