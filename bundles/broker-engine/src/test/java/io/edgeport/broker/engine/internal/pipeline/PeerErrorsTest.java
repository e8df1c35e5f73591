package io.edgeport.broker.engine.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;

import io.edgeport.broker.engine.internal.pipeline.PeerErrors.Reason;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.timeout.ReadTimeoutException;

/** Rate-limited peer-error lines on a fake clock: one line per reason a minute, then a summary with the count. */
class PeerErrorsTest {

    private final List<String> lines = new ArrayList<>();
    private final AtomicLong now = new AtomicLong(1_000);
    private final List<Runnable> scheduled = new ArrayList<>();
    private final PeerErrors errors = new PeerErrors((level, line) -> lines.add(level + " " + line), now::get,
            (task, delay) -> scheduled.add(task));
    private final InetSocketAddress peer = new InetSocketAddress("10.0.0.7", 40_000);

    @Test
    void oneLineAMinutePerReasonThenASummary() {
        for (int i = 0; i < 4_212; i++) {
            errors.report(Reason.MALFORMED_PACKET, peer, "bad");
        }
        errors.report(Reason.CONNECTION_RESET, peer, "Connection reset");
        assertThat(lines).containsExactly(
                "WARN Peer error malformed_packet from 10.0.0.7:40000: bad (more of this kind are counted and summed up once a minute)",
                "INFO Peer error connection_reset from 10.0.0.7:40000: Connection reset (more of this kind are counted and summed up once a minute)");
        assertThat(scheduled).hasSize(1);

        now.addAndGet(PeerErrors.WINDOW_NANOS);
        scheduled.forEach(Runnable::run);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(2)).isEqualTo("WARN ... and 4,211 more malformed_packet in the last minute (last from 10.0.0.7:40000)");
        assertThat(errors.count(Reason.MALFORMED_PACKET)).isEqualTo(4_212);
        assertThat(errors.counts()).containsEntry("malformed_packet", 4_212L).containsEntry("connection_reset", 1L)
                .containsEntry("tls_handshake", 0L);

        errors.report(Reason.MALFORMED_PACKET, peer, "again");
        assertThat(lines).hasSize(4);
        assertThat(lines.get(3)).contains("Peer error malformed_packet").contains("again");
    }

    @Test
    void aLateErrorWritesTheSummaryItselfWhenTheTimerDidNot() {
        errors.report(Reason.BAD_TOPIC, peer, "x");
        errors.report(Reason.BAD_TOPIC, peer, "y");
        now.addAndGet(2 * PeerErrors.WINDOW_NANOS);
        errors.report(Reason.BAD_TOPIC, peer, "z");
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1)).isEqualTo("WARN ... and 1 more bad_topic in the last minute (last from 10.0.0.7:40000)");
        assertThat(lines.get(2)).contains(": z");
        scheduled.forEach(Runnable::run); // the stale timer finds nothing to say
        assertThat(lines).hasSize(3);
    }

    @Test
    void aChannelIsReportedOnce() {
        EmbeddedChannel ch = new EmbeddedChannel();
        assertThat(errors.report(Reason.TLS_HANDSHAKE, ch, "no certificate")).isTrue();
        assertThat(errors.report(Reason.CONNECTION_RESET, ch, "closed")).isFalse();
        assertThat(errors.count(Reason.TLS_HANDSHAKE)).isEqualTo(1);
        assertThat(errors.count(Reason.CONNECTION_RESET)).isZero();
    }

    @Test
    void peerBytesInDetailsCannotForgeLogLines() {
        errors.report(Reason.BAD_TOPIC, peer, "topic 'a\nERROR forged\r\u0000" + "x".repeat(500) + "'");
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).doesNotContain("\n").doesNotContain("\r").contains("a?ERROR forged??");
        assertThat(lines.get(0).length()).isLessThan(300);
    }

    @Test
    void exceptionsAreClassified() {
        assertThat(PeerErrors.classify(new DecoderException(new SSLHandshakeException("Empty client certificate chain"))))
                .isEqualTo(Reason.TLS_HANDSHAKE);
        assertThat(PeerErrors.classify(new NotSslRecordException("not an SSL/TLS record"))).isEqualTo(Reason.TLS_HANDSHAKE);
        assertThat(PeerErrors.classify(new TooLongFrameException("too long"))).isEqualTo(Reason.PACKET_TOO_LARGE);
        assertThat(PeerErrors.classify(new DecoderException("bad"))).isEqualTo(Reason.MALFORMED_PACKET);
        assertThat(PeerErrors.classify(new IOException("Connection reset by peer"))).isEqualTo(Reason.CONNECTION_RESET);
        assertThat(PeerErrors.classify(ReadTimeoutException.INSTANCE)).isEqualTo(Reason.KEEPALIVE_TIMEOUT);
        assertThat(PeerErrors.classify(new NullPointerException())).isNull();
    }
}
