package io.edgeport.broker.engine.internal.pipeline;

import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * Who holds a channel's reading paused. Several reasons may pause the same channel ({@link #LOOP}: a session loop is
 * behind; {@link #OUTBOUND}: some client cannot take what the broker writes; {@link #CONNECTING}: packets sent right
 * behind the CONNECT wait until the session exists); it reads again only when none holds it.
 * Thread-safe: every change of a channel's reasons and its {@code autoRead} happens under one lock per channel.
 */
public final class ReadGate {

    public static final int LOOP = 1;
    public static final int OUTBOUND = 2;
    public static final int CONNECTING = 4;
    private static final AttributeKey<AtomicInteger> REASONS = AttributeKey.valueOf(ReadGate.class, "reasons");

    private ReadGate() {
    }

    private static AtomicInteger reasons(Channel ch) {
        AtomicInteger r = ch.attr(REASONS).get();
        if (r == null) {
            AtomicInteger fresh = new AtomicInteger();
            r = ch.attr(REASONS).setIfAbsent(fresh);
            if (r == null) {
                r = fresh;
            }
        }
        return r;
    }

    /** @return whether this call paused the channel for {@code reason} (false: it already was for it) */
    public static boolean pause(Channel ch, int reason) {
        AtomicInteger r = reasons(ch);
        synchronized (r) {
            int before = r.get();
            if ((before & reason) != 0) {
                return false;
            }
            r.set(before | reason);
            if (before == 0) {
                ch.config().setAutoRead(false);
            }
            return true;
        }
    }

    /** @return whether this call removed {@code reason} */
    public static boolean resume(Channel ch, int reason) {
        AtomicInteger r = reasons(ch);
        synchronized (r) {
            int before = r.get();
            if ((before & reason) == 0) {
                return false;
            }
            int after = before & ~reason;
            r.set(after);
            if (after == 0) {
                ch.config().setAutoRead(true);
            }
            return true;
        }
    }

    static boolean paused(Channel ch, int reason) {
        return (reasons(ch).get() & reason) != 0;
    }
}
