package io.edgeport.broker.engine.internal.pipeline;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import javax.net.ssl.SSLException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import io.netty.channel.Channel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.timeout.TimeoutException;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * Errors caused by peers (malformed packets, protocol violations, failed TLS handshakes, resets, timeouts): counted
 * per {@link Reason} and logged so that a flood of them cannot fill an appliance's disk.
 *
 * <p>Logging: the first error of a reason in a minute is one line with the reason, the remote address and a short,
 * sanitised detail; further ones of that reason in the same minute are only counted, and when the minute is over one
 * line says how many ("... and 4,211 more malformed_packet in the last minute"). Never a stack trace (the exception's
 * trace is logged at DEBUG for whoever needs it). Levels: {@link Reason#level}, WARN at most for peer errors; only
 * {@link Reason#INTERNAL_ERROR} (an exception of the broker's own code on a peer's packet, i.e. our bug) is ERROR.
 *
 * <p>A connection is reported once: what else goes wrong on a channel already reported (the reset after a refused
 * handshake, a second exception) is neither counted nor logged.
 *
 * <p>One instance per server run, shared by all channels and listeners; thread-safe. Summaries of a minute are written
 * by a task on Netty's global executor (a thread that exists only while there is something to do).
 */
public final class PeerErrors {

    /** Why a peer's connection was closed; {@link #key} is the $SYS topic level. */
    public enum Reason {
        /** The MQTT decoder refused the bytes (reserved bits, bad lengths, invalid UTF-8, QoS 3, packet id 0...). */
        MALFORMED_PACKET("malformed_packet", Level.WARN),
        /** Remaining length above the largest packet message_size_limit allows. */
        PACKET_TOO_LARGE("packet_too_large", Level.WARN),
        /** The first packet was not a CONNECT (MQTT-3.1.0-1). */
        NOT_CONNECT_FIRST("not_connect_first", Level.WARN),
        /** A second CONNECT on a connection (MQTT-3.1.0-2). */
        SECOND_CONNECT("second_connect", Level.WARN),
        /** Protocol name or level not MQTT 3.1 / 3.1.1: CONNACK 0x01. */
        BAD_PROTOCOL_VERSION("bad_protocol_version", Level.WARN),
        /** The decoder rejected the client identifier: CONNACK 0x02. */
        BAD_CLIENT_ID("bad_client_id", Level.WARN),
        /** Invalid topic name or filter (empty, wildcard in a name, misplaced wildcard in a filter). */
        BAD_TOPIC("bad_topic", Level.WARN),
        /** Any other violation of MQTT 3.1.1 (packets a server never receives, flag combinations, empty SUBSCRIBE). */
        PROTOCOL_VIOLATION("protocol_violation", Level.WARN),
        /** TLS handshake failed (no or untrusted client certificate, not TLS at all, no common cipher...). */
        TLS_HANDSHAKE("tls_handshake", Level.WARN),
        /** The peer reset or broke the connection: ordinary on real networks. */
        CONNECTION_RESET("connection_reset", Level.INFO),
        /** No CONNECT within the connect timeout. */
        CONNECT_TIMEOUT("connect_timeout", Level.INFO),
        /** Nothing received within 1.5 keep-alive periods. */
        KEEPALIVE_TIMEOUT("keepalive_timeout", Level.INFO),
        /** The broker's own code threw on a peer's packet: a bug of ours, hence ERROR (still one line a minute). */
        INTERNAL_ERROR("internal_error", Level.ERROR),
        /** A connection refused because its address connected too often ({@link ConnectionLimiter}). */
        CONNECT_RATE("connect_rate", Level.WARN),
        /** A connection refused because too many were waiting for their CONNECT ({@link ConnectionLimiter}). */
        PENDING_CONNECTS("pending_connects", Level.WARN);

        public final String key;
        public final Level level;

        Reason(String key, Level level) {
            this.key = key;
            this.level = level;
        }
    }

    /** Where the lines go; SLF4J in production, a list in tests. */
    @FunctionalInterface
    interface Sink {
        void log(Level level, String line);
    }

    /** Runs a task after a delay; Netty's global executor in production. */
    @FunctionalInterface
    interface Scheduler {
        void schedule(Runnable task, long delayNanos);
    }

    static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final int MAX_DETAIL = 160;
    private static final Logger LOG = LoggerFactory.getLogger(PeerErrors.class);
    private static final AttributeKey<Boolean> REPORTED = AttributeKey.valueOf(PeerErrors.class, "reported");

    private final Map<Reason, Slot> slots = new EnumMap<>(Reason.class);
    private final Sink sink;
    private final LongSupplier nanoClock;
    private final Scheduler scheduler;

    public PeerErrors() {
        this((level, line) -> LOG.atLevel(level).log(line), System::nanoTime,
                (task, delay) -> GlobalEventExecutor.INSTANCE.schedule(task, delay, TimeUnit.NANOSECONDS));
    }

    PeerErrors(Sink sink, LongSupplier nanoClock, Scheduler scheduler) {
        this.sink = sink;
        this.nanoClock = nanoClock;
        this.scheduler = scheduler;
        for (Reason r : Reason.values()) {
            slots.put(r, new Slot());
        }
    }

    /** Per reason: the total, and the minute window of the log line (guarded by the slot). */
    private static final class Slot {
        final LongAdder total = new LongAdder();
        boolean windowOpen;
        long windowStart;
        long suppressed;
        String lastPeer;
        boolean summaryScheduled;
    }

    /**
     * Counts and (rate-limited) logs a peer error of a channel, unless that channel was reported already.
     *
     * @return false when the channel had been reported before (nothing counted)
     */
    public boolean report(Reason reason, Channel channel, String detail) {
        if (channel != null && channel.attr(REPORTED).setIfAbsent(Boolean.TRUE) != null) {
            return false;
        }
        report(reason, channel == null ? null : channel.remoteAddress(), detail);
        return true;
    }

    /** Whether a peer error was reported for the channel already. */
    static boolean reported(Channel channel) {
        return channel.attr(REPORTED).get() != null;
    }

    /** Counts and (rate-limited) logs one peer error. */
    public void report(Reason reason, SocketAddress peer, String detail) {
        Slot s = slots.get(reason);
        s.total.increment();
        String who = address(peer);
        long now = nanoClock.getAsLong();
        String summary = null;
        boolean first = false;
        boolean schedule = false;
        synchronized (s) {
            if (s.windowOpen && now - s.windowStart >= WINDOW_NANOS) {
                summary = takeSummary(reason, s);
            }
            if (!s.windowOpen) {
                s.windowOpen = true;
                s.windowStart = now;
                first = true;
            } else {
                s.suppressed++;
                s.lastPeer = who;
                if (!s.summaryScheduled) {
                    s.summaryScheduled = true;
                    schedule = true;
                }
            }
        }
        if (summary != null) {
            sink.log(reason.level, summary);
        }
        if (first) {
            sink.log(reason.level, "Peer error " + reason.key + " from " + who + ": " + sanitise(detail)
                    + " (more of this kind are counted and summed up once a minute)");
        }
        if (schedule) {
            long delay;
            synchronized (s) {
                delay = Math.max(0, s.windowStart + WINDOW_NANOS - now);
            }
            scheduler.schedule(() -> flush(reason), delay);
        }
    }

    /** Writes the summary of a reason whose minute is over (nothing when none were suppressed). */
    void flush(Reason reason) {
        Slot s = slots.get(reason);
        String summary = null;
        synchronized (s) {
            s.summaryScheduled = false;
            if (s.windowOpen && nanoClock.getAsLong() - s.windowStart >= WINDOW_NANOS) {
                summary = takeSummary(reason, s);
            }
        }
        if (summary != null) {
            sink.log(reason.level, summary);
        }
    }

    /** Closes the slot's window; returns its summary line or null. Holds the slot's lock. */
    private static String takeSummary(Reason reason, Slot s) {
        s.windowOpen = false;
        if (s.suppressed == 0) {
            return null;
        }
        String line = String.format(Locale.ROOT, "... and %,d more %s in the last minute (last from %s)",
                s.suppressed, reason.key, s.lastPeer);
        s.suppressed = 0;
        s.lastPeer = null;
        return line;
    }

    /** @return the count of every reason, zeros included, in {@link Reason} order, keyed by {@link Reason#key} */
    public Map<String, Long> counts() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Reason r : Reason.values()) {
            m.put(r.key, slots.get(r).total.sum());
        }
        return m;
    }

    public long count(Reason reason) {
        return slots.get(reason).total.sum();
    }

    /**
     * @return the peer-error reason of an exception a channel's pipeline caught, or null when it is not caused by the
     *         peer (a fault of the broker)
     */
    public static Reason classify(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException || t instanceof NotSslRecordException) {
                return Reason.TLS_HANDSHAKE;
            }
        }
        if (cause instanceof TooLongFrameException || cause.getCause() instanceof TooLongFrameException) {
            return Reason.PACKET_TOO_LARGE;
        }
        if (cause instanceof DecoderException) {
            return Reason.MALFORMED_PACKET;
        }
        if (cause instanceof TimeoutException) {
            return Reason.KEEPALIVE_TIMEOUT;
        }
        if (cause instanceof IOException) {
            return Reason.CONNECTION_RESET;
        }
        return null;
    }

    /** One line for an exception: its class, message and where it was thrown. */
    public static String describe(Throwable t) {
        StackTraceElement[] st = t.getStackTrace();
        String where = st.length == 0 ? "" : " at " + st[0];
        return t + where;
    }

    static String address(SocketAddress peer) {
        if (peer instanceof InetSocketAddress) {
            InetSocketAddress a = (InetSocketAddress) peer;
            return (a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress()) + ":" + a.getPort();
        }
        return String.valueOf(peer);
    }

    /** Peer bytes end up in details (topic names, decoder messages): one line, printable, bounded. */
    static String sanitise(String detail) {
        if (detail == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(Math.min(detail.length(), MAX_DETAIL + 1));
        for (int i = 0; i < detail.length() && b.length() < MAX_DETAIL; i++) {
            char c = detail.charAt(i);
            b.append(c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || Character.isSurrogate(c) ? '?' : c);
        }
        if (detail.length() > MAX_DETAIL) {
            b.append("...");
        }
        return b.toString();
    }
}
