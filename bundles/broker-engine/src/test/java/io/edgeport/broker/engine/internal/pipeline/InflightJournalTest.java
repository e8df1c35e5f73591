package io.edgeport.broker.engine.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.ReferenceCountUtil;

/**
 * InflightJournal on embedded channels (no Moquette behind it, so no id counter: that part is covered by
 * {@link InflightRedeliveryTest} and {@link #resumeContinuesThePreviousConnectionsCounter()}).
 */
class InflightJournalTest {

    private final InflightJournal journal = new InflightJournal();
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private final List<ByteBuf> payloads = new ArrayList<>();

    @AfterEach
    void tearDown() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    private EmbeddedChannel connect(String clientId, boolean clean, boolean sessionPresent) {
        EmbeddedChannel ch = new EmbeddedChannel(journal.newHandler());
        channels.add(ch);
        assertThat(ch.writeInbound(Packets.connect(clientId, 30, clean))).isTrue();
        ch.readInbound();
        ch.writeOutbound(MqttMessageBuilders.connAck().returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED)
                .sessionPresent(sessionPresent).build());
        assertThat(Packets.type(ch.readOutbound())).isEqualTo(MqttMessageType.CONNACK);
        return ch;
    }

    private MqttPublishMessage publish(int id, MqttQoS qos, String text) {
        ByteBuf payload = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
        payloads.add(payload);
        return new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, qos, false, 0),
                new MqttPublishVariableHeader("t", id), payload.retain());
    }

    /** Sends as Moquette does; the test keeps one reference to each payload to check the journal's refcounting. */
    private void send(EmbeddedChannel ch, MqttPublishMessage p) {
        ch.writeOutbound(p);
        ReferenceCountUtil.release(ch.readOutbound());
    }

    private static List<String> drain(EmbeddedChannel ch) {
        List<String> out = new ArrayList<>();
        for (Object m = ch.readOutbound(); m != null; m = ch.readOutbound()) {
            MqttMessage msg = (MqttMessage) m;
            if (msg instanceof MqttPublishMessage) {
                MqttPublishMessage p = (MqttPublishMessage) msg;
                out.add("PUBLISH " + p.variableHeader().packetId() + " dup=" + p.fixedHeader().isDup() + " q"
                        + p.fixedHeader().qosLevel().value() + " " + p.payload().toString(StandardCharsets.UTF_8));
            } else if (Packets.type(msg) == MqttMessageType.CONNACK) {
                out.add("CONNACK " + Packets.connAckCode(msg));
            } else {
                out.add(Packets.type(msg) + " " + Packets.id(msg));
            }
            ReferenceCountUtil.release(m);
        }
        return out;
    }

    @Test
    void unacknowledgedMessagesFollowTheConnAckInSendOrder() {
        EmbeddedChannel first = connect("c", false, false);
        send(first, publish(7, MqttQoS.AT_LEAST_ONCE, "a"));
        send(first, publish(8, MqttQoS.EXACTLY_ONCE, "b"));
        send(first, publish(9, MqttQoS.AT_LEAST_ONCE, "c"));
        send(first, publish(10, MqttQoS.EXACTLY_ONCE, "d"));
        first.writeInbound(Packets.ack(MqttMessageType.PUBACK, 7));
        first.writeInbound(Packets.ack(MqttMessageType.PUBREC, 8)); // 8 now owes a PUBREL
        drainInbound(first);
        assertThat(journal.size("c")).isEqualTo(3);
        first.close();

        EmbeddedChannel second = connect("c", false, true);
        assertThat(drain(second)).containsExactly("PUBREL 8", "PUBLISH 9 dup=true q1 c", "PUBLISH 10 dup=true q2 d");
        second.writeInbound(Packets.ack(MqttMessageType.PUBCOMP, 8));
        second.writeInbound(Packets.ack(MqttMessageType.PUBACK, 9));
        second.writeInbound(Packets.ack(MqttMessageType.PUBREC, 10));
        second.writeInbound(Packets.ack(MqttMessageType.PUBCOMP, 10));
        drainInbound(second);
        assertThat(journal.size("c")).isZero();
        assertThat(payloads).allSatisfy(b -> assertThat(b.refCnt()).as("only the test's reference").isEqualTo(1));
    }

    @Test
    void acksAreAlwaysPassedOnToMoquette() {
        EmbeddedChannel ch = connect("c", false, false);
        ch.writeInbound(Packets.ack(MqttMessageType.PUBACK, 99));
        MqttMessage passed = ch.readInbound();
        assertThat(Packets.id(passed)).isEqualTo(99);
    }

    @Test
    void aMoquetteResendKeepsItsPlace() {
        EmbeddedChannel first = connect("c", false, false);
        send(first, publish(1, MqttQoS.AT_LEAST_ONCE, "a"));
        send(first, publish(2, MqttQoS.AT_LEAST_ONCE, "b"));
        MqttPublishMessage resend = publish(1, MqttQoS.AT_LEAST_ONCE, "a");
        send(first, new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, true, MqttQoS.AT_LEAST_ONCE,
                false, 0), resend.variableHeader(), resend.payload()));
        first.close();
        assertThat(drain(connect("c", false, true))).containsExactly("PUBLISH 1 dup=true q1 a",
                "PUBLISH 2 dup=true q1 b");
    }

    @Test
    void cleanSessionConnectDiscardsTheJournal() {
        EmbeddedChannel first = connect("c", false, false);
        send(first, publish(1, MqttQoS.AT_LEAST_ONCE, "a"));
        first.close();
        EmbeddedChannel clean = connect("c", true, false);
        send(clean, publish(1, MqttQoS.AT_LEAST_ONCE, "x")); // clean sessions are not journalled
        assertThat(journal.size("c")).isZero();
        clean.close();
        assertThat(drain(connect("c", false, false))).isEmpty();
        assertThat(payloads).allSatisfy(b -> assertThat(b.refCnt()).isEqualTo(1));
    }

    @Test
    void aNewSessionDiscardsWhatAnOldOneLeft() {
        EmbeddedChannel first = connect("c", false, false);
        send(first, publish(1, MqttQoS.AT_LEAST_ONCE, "a"));
        first.close();
        assertThat(drain(connect("c", false, false))).isEmpty(); // e.g. the session expired meanwhile
        assertThat(journal.size("c")).isZero();
    }

    @Test
    void aRefusedConnectChangesNothing() {
        EmbeddedChannel first = connect("c", false, false);
        send(first, publish(1, MqttQoS.AT_LEAST_ONCE, "a"));
        first.close();
        EmbeddedChannel refused = new EmbeddedChannel(journal.newHandler());
        channels.add(refused);
        refused.writeInbound(Packets.connect("c", 30, true));
        refused.readInbound();
        refused.writeOutbound(MqttMessageBuilders.connAck()
                .returnCode(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED).build());
        assertThat(drain(refused)).containsExactly("CONNACK CONNECTION_REFUSED_NOT_AUTHORIZED");
        assertThat(journal.size("c")).isEqualTo(1);
    }

    @Test
    void qos0IsNotJournalledAndTheJournalIsBounded() {
        EmbeddedChannel ch = connect("c", false, false);
        send(ch, publish(0, MqttQoS.AT_MOST_ONCE, "zero"));
        assertThat(journal.size("c")).isZero();
        for (int id = 1; id <= InflightJournal.MAX_ENTRIES + 8; id++) {
            send(ch, publish(id, MqttQoS.AT_LEAST_ONCE, "m" + id));
        }
        assertThat(journal.size("c")).isEqualTo(InflightJournal.MAX_ENTRIES);
        ch.close();
        List<String> resent = drain(connect("c", false, true));
        assertThat(resent).hasSize(InflightJournal.MAX_ENTRIES).first().asString().startsWith("PUBLISH 9 ");
    }

    @Test
    void resumeContinuesThePreviousConnectionsCounter() {
        InflightJournal.Journal j = new InflightJournal.Journal("c");
        AtomicInteger old = new AtomicInteger();
        j.connected(old);
        old.set(65534); // the old connection handed out ids up to 65534
        AtomicInteger fresh = new AtomicInteger();
        assertThat(j.resume(fresh)).isEmpty();
        assertThat(fresh.get()).isEqualTo(65534);
        AtomicInteger third = new AtomicInteger();
        fresh.set(2); // wrapped: 65535, 1, 2
        j.resume(third);
        assertThat(third.get()).isEqualTo(2);
    }

    private static void drainInbound(EmbeddedChannel ch) {
        for (Object m = ch.readInbound(); m != null; m = ch.readInbound()) {
            ReferenceCountUtil.release(m);
        }
    }
}
