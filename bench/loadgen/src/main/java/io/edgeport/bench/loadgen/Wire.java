package io.edgeport.bench.loadgen;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;

/**
 * The hot path of MQTT 3.1.1 written by hand: PUBLISH and PUBACK encoding, and the benchmark payload.
 *
 * <p>The payload is a JSON object of fixed layout, so that Edgeport's telemetry sink accepts it as a reading and the
 * subscriber can read the fields at fixed offsets without parsing:
 * {@code {"device_id":"p00003","seq":         1234,"t":     123456789012345,"value":21.5,"pad":"xxx…"}}
 * (numbers right-aligned in spaces, which JSON allows). {@code t} is the sender's {@link System#nanoTime()}.
 * Stateless and thread-safe.
 */
final class Wire {

    static final int PUBLISH = 3, PUBACK = 4, CONNACK = 2, SUBACK = 9, PINGRESP = 13;

    private static final String HEAD = "{\"device_id\":\"p";
    static final int ID_AT = HEAD.length(), ID_LEN = 5;
    private static final String SEQ_KEY = "\",\"seq\":";
    static final int SEQ_AT = ID_AT + ID_LEN + SEQ_KEY.length(), SEQ_LEN = 15;
    private static final String T_KEY = ",\"t\":";
    static final int T_AT = SEQ_AT + SEQ_LEN + T_KEY.length(), T_LEN = 20;
    private static final String TAIL = ",\"value\":21.5,\"pad\":\"";
    static final int MIN_SIZE = T_AT + T_LEN + TAIL.length() + 2;

    private Wire() {
    }

    /** The payload template of one publisher: everything but seq and t filled in. */
    static byte[] template(int publisher, int size) {
        if (size < MIN_SIZE) {
            throw new IllegalArgumentException("payload size must be at least " + MIN_SIZE);
        }
        if (publisher < 0 || publisher > 99_999) {
            throw new IllegalArgumentException("publisher id out of range: " + publisher);
        }
        StringBuilder s = new StringBuilder(size).append(HEAD).append(String.format("%05d", publisher)).append(SEQ_KEY)
                .append(" ".repeat(SEQ_LEN)).append(T_KEY).append(" ".repeat(T_LEN)).append(TAIL);
        s.append("x".repeat(size - s.length() - 2)).append("\"}");
        return s.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Bytes of one PUBLISH packet. */
    static int publishSize(byte[] topic, int qos, byte[] template) {
        int remaining = 2 + topic.length + (qos > 0 ? 2 : 0) + template.length;
        return remaining + 1 + (remaining < 128 ? 1 : remaining < 16384 ? 2 : 3);
    }

    /**
     * Appends one PUBLISH packet (QoS 0: packetId ignored) with seq and the current nanoTime stamped into the
     * payload. Several packets share one buffer, so a batch is one write through the pipeline.
     */
    static void publish(ByteBuf b, byte[] topic, int qos, int packetId, byte[] template, long seq) {
        int remaining = 2 + topic.length + (qos > 0 ? 2 : 0) + template.length;
        b.writeByte(0x30 | (qos << 1));
        writeLength(b, remaining);
        b.writeShort(topic.length).writeBytes(topic);
        if (qos > 0) {
            b.writeShort(packetId);
        }
        int base = b.writerIndex();
        b.writeBytes(template);
        putNumber(b, base + SEQ_AT, SEQ_LEN, seq);
        putNumber(b, base + T_AT, T_LEN, System.nanoTime());
    }

    static void puback(ByteBuf b, int packetId) {
        b.writeByte(0x40).writeByte(2).writeShort(packetId);
    }

    private static void writeLength(ByteBuf b, int n) {
        do {
            int digit = n & 0x7F;
            n >>>= 7;
            b.writeByte(n > 0 ? digit | 0x80 : digit);
        } while (n > 0);
    }

    /** Right-aligned decimal (with '-' if negative) in a field of spaces of the template. */
    private static void putNumber(ByteBuf b, int at, int len, long v) {
        boolean neg = v < 0;
        long x = neg ? -v : v;
        int i = at + len - 1;
        do {
            b.setByte(i--, '0' + (int) (x % 10));
            x /= 10;
        } while (x > 0 && i >= at);
        if (neg && i >= at) {
            b.setByte(i, '-');
        }
    }

    /** Reads a number written by {@link #putNumber}; Long.MIN_VALUE if the field holds something else. */
    static long getNumber(ByteBuf b, int at, int len) {
        long v = 0;
        boolean neg = false, digits = false;
        for (int i = at; i < at + len; i++) {
            byte c = b.getByte(i);
            if (c >= '0' && c <= '9') {
                v = v * 10 + (c - '0');
                digits = true;
            } else if (c == '-') {
                neg = true;
            } else if (c != ' ') {
                return Long.MIN_VALUE;
            }
        }
        return digits ? (neg ? -v : v) : Long.MIN_VALUE;
    }
}
