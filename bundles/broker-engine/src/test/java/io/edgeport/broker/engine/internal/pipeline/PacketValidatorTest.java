package io.edgeport.broker.engine.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.edgeport.broker.engine.internal.pipeline.PeerErrors.Reason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;

/**
 * Each refusal of {@link PacketValidator}, fed as wire bytes through the real decoder (as in a pipeline): the channel
 * closes, the reason is counted once, the CONNACK MQTT 3.1.1 prescribes is sent where there is one, and nothing is
 * passed on.
 */
class PacketValidatorTest {

    private static final int MAX_BYTES = 1024;
    private final List<String> lines = new ArrayList<>();
    private final PeerErrors errors = new PeerErrors((level, line) -> lines.add(level + " " + line), System::nanoTime,
            (task, delay) -> { });

    private EmbeddedChannel channel() {
        return new EmbeddedChannel(new MqttDecoder(MAX_BYTES), MqttEncoder.INSTANCE, new PacketValidator(errors));
    }

    private static byte[] bytes(int... b) {
        byte[] r = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            r[i] = (byte) b[i];
        }
        return r;
    }

    private static byte[] wire(MqttMessage m) {
        ByteBuf b = Packets.encode(m);
        byte[] r = new byte[b.readableBytes()];
        b.readBytes(r);
        b.release();
        return r;
    }

    private static byte[] connect() {
        return wire(Packets.connect("c", 30, true));
    }

    /** Feeds the packets; returns what passed the validator (released). */
    private static List<MqttMessageType> feed(EmbeddedChannel ch, byte[]... packets) {
        for (byte[] p : packets) {
            if (ch.isOpen()) {
                ch.writeInbound(Unpooled.wrappedBuffer(p));
            }
        }
        List<MqttMessageType> passed = new ArrayList<>();
        for (Object m; (m = ch.readInbound()) != null; ) {
            passed.add(((MqttMessage) m).fixedHeader().messageType());
            ReferenceCountUtil.release(m);
        }
        return passed;
    }

    private void assertRefused(Reason reason, byte[]... packets) {
        long before = errors.count(reason);
        long all = total();
        EmbeddedChannel ch = channel();
        List<MqttMessageType> passed = feed(ch, packets);
        assertThat(ch.isOpen()).as("closed").isFalse();
        assertThat(errors.count(reason) - before).as(reason.key).isEqualTo(1);
        assertThat(total() - all).as("one reason counted").isEqualTo(1);
        assertThat(passed).as("only the packets before the bad one pass").hasSize(packets.length - 1);
    }

    private long total() {
        return errors.counts().values().stream().mapToLong(Long::longValue).sum();
    }

    private static MqttConnectReturnCode connAck(EmbeddedChannel ch) {
        Object out = ch.readOutbound();
        assertThat(out).as("CONNACK").isNotNull();
        EmbeddedChannel dec = new EmbeddedChannel(new MqttDecoder());
        dec.writeInbound(out);
        return Packets.connAckCode(dec.readInbound());
    }

    @Test
    void validSessionPasses() {
        EmbeddedChannel ch = channel();
        List<MqttMessageType> passed = feed(ch, connect(),
                wire(Packets.publish("a/b", MqttQoS.AT_LEAST_ONCE, 1, false, 3)),
                wire(MqttMessageBuilders.subscribe().messageId(2).addSubscription(MqttQoS.AT_LEAST_ONCE, "a/+/#").build()),
                wire(MqttMessageBuilders.unsubscribe().messageId(3).addTopicFilter("a/+/#").build()),
                wire(Packets.ack(MqttMessageType.PUBACK, 7)), bytes(0xC0, 0), bytes(0xE0, 0));
        assertThat(passed).containsExactly(MqttMessageType.CONNECT, MqttMessageType.PUBLISH, MqttMessageType.SUBSCRIBE,
                MqttMessageType.UNSUBSCRIBE, MqttMessageType.PUBACK, MqttMessageType.PINGREQ, MqttMessageType.DISCONNECT);
        assertThat(ch.isOpen()).isTrue();
        assertThat(errors.counts().values()).containsOnly(0L);
    }

    @Test
    void firstPacketMustBeConnect() {
        assertRefused(Reason.NOT_CONNECT_FIRST, bytes(0xC0, 0));
    }

    @Test
    void secondConnectIsRefused() {
        assertRefused(Reason.SECOND_CONNECT, connect(), connect());
    }

    @Test
    void unknownProtocolLevelGetsConnack1() {
        byte[] c = connect();
        c[8] = 9; // protocol level after 0x10 len 0x00 0x04 'MQTT'
        EmbeddedChannel ch = channel();
        feed(ch, c);
        assertThat(connAck(ch)).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION);
        assertThat(ch.isOpen()).isFalse();
        assertThat(errors.count(Reason.BAD_PROTOCOL_VERSION)).isEqualTo(1);
    }

    @Test
    void mqtt5GetsAn311Connack1() {
        MqttConnectMessage v5 = MqttMessageBuilders.connect().clientId("c").protocolVersion(MqttVersion.MQTT_5)
                .keepAlive(30).build();
        EmbeddedChannel ch = channel();
        feed(ch, wire(v5));
        assertThat(connAck(ch)).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION);
        assertThat(errors.count(Reason.BAD_PROTOCOL_VERSION)).isEqualTo(1);
    }

    @Test
    void wrongProtocolNameGetsConnack1() {
        byte[] c = connect();
        c[4] = 'X'; // 'MQTT' -> 'MXTT'
        EmbeddedChannel ch = channel();
        feed(ch, c);
        assertThat(connAck(ch)).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION);
    }

    @Test
    void mqtt31ClientIdOver23CharactersGetsConnack2() {
        byte[] c = new byte[40];
        byte[] head = bytes(0x10, 38, 0, 6, 'M', 'Q', 'I', 's', 'd', 'p', 3, 0x02, 0, 30, 0, 24);
        System.arraycopy(head, 0, c, 0, head.length);
        java.util.Arrays.fill(c, head.length, c.length, (byte) 'x');
        EmbeddedChannel ch = channel();
        feed(ch, c);
        assertThat(connAck(ch)).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED);
        assertThat(errors.count(Reason.BAD_CLIENT_ID)).isEqualTo(1);
    }

    @Test
    void reservedFlagBitsAreMalformed() {
        assertRefused(Reason.MALFORMED_PACKET, bytes(0x11, 0)); // CONNECT with flags 0001
        assertThat(errors.count(Reason.MALFORMED_PACKET)).isEqualTo(1);
    }

    @Test
    void reservedConnectFlagIsMalformed() {
        byte[] c = connect();
        c[9] |= 0x01;
        assertRefused(Reason.MALFORMED_PACKET, c);
    }

    @Test
    void qos3IsMalformed() {
        assertRefused(Reason.MALFORMED_PACKET, connect(), bytes(0x36, 5, 0, 1, 'a', 0, 1));
    }

    @Test
    void packetIdZeroIsMalformed() {
        assertRefused(Reason.MALFORMED_PACKET, connect(), bytes(0x32, 5, 0, 1, 'a', 0, 0));
    }

    @Test
    void wildcardInPublishTopicIsRefused() {
        assertRefused(Reason.MALFORMED_PACKET, connect(), bytes(0x30, 5, 0, 3, 'a', '/', '#'));
    }

    @Test
    void emptyPublishTopicIsRefused() {
        assertRefused(Reason.BAD_TOPIC, connect(), bytes(0x30, 3, 0, 0, 'x'));
    }

    @Test
    void nulInTopicIsMalformed() {
        assertRefused(Reason.MALFORMED_PACKET, connect(), bytes(0x30, 5, 0, 3, 'a', 0, 'b'));
    }

    @Test
    void invalidUtf8InTopicIsMalformed() {
        assertRefused(Reason.MALFORMED_PACKET, connect(), bytes(0x30, 5, 0, 3, 'a', 0xC3, 0x28));
    }

    @Test
    void dupOnQos0IsAViolation() {
        assertRefused(Reason.PROTOCOL_VIOLATION, connect(), wire(Packets.publish("a", MqttQoS.AT_MOST_ONCE, 0, true, 1)));
    }

    @Test
    void subscribeWithoutFiltersIsAViolation() {
        assertRefused(Reason.PROTOCOL_VIOLATION, connect(), bytes(0x82, 2, 0, 1));
    }

    @Test
    void unsubscribeWithoutFiltersIsAViolation() {
        assertRefused(Reason.PROTOCOL_VIOLATION, connect(), bytes(0xA2, 2, 0, 1));
    }

    @Test
    void invalidFiltersAreBadTopics() {
        assertRefused(Reason.BAD_TOPIC, connect(),
                wire(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_MOST_ONCE, "a/#/b").build()));
        assertRefused(Reason.BAD_TOPIC, connect(),
                wire(MqttMessageBuilders.unsubscribe().messageId(1).addTopicFilter("a+").build()));
    }

    @Test
    void subscribeQos3AndReservedOptionBitsAreRefused() {
        // filter "a", requested QoS byte 3
        assertRefused(Reason.MALFORMED_PACKET, connect(), bytes(0x82, 6, 0, 1, 0, 1, 'a', 3));
        // requested QoS byte 0x04 (no-local, an MQTT 5 option) is reserved in 3.1.1
        assertRefused(Reason.PROTOCOL_VIOLATION, connect(), bytes(0x82, 6, 0, 1, 0, 1, 'a', 4));
    }

    @Test
    void willFlagRulesAreChecked() {
        byte[] c = connect();
        c[9] |= 0x08; // will QoS 1 without the will flag
        assertRefused(Reason.PROTOCOL_VIOLATION, c);
        // will flag, clean session; client id "c", will topic "a/+", empty will message
        assertRefused(Reason.BAD_TOPIC, bytes(0x10, 20, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x06, 0, 30, 0, 1, 'c',
                0, 3, 'a', '/', '+', 0, 0));
    }

    @Test
    void passwordWithoutUserNameIsAViolation() {
        assertRefused(Reason.PROTOCOL_VIOLATION, bytes(0x10, 17, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x42, 0, 30, 0, 1, 'c',
                0, 2, 'p', 'w'));
    }

    @Test
    void packetsOnlyServersSendAreRefused() {
        assertRefused(Reason.PROTOCOL_VIOLATION, connect(), bytes(0xD0, 0)); // PINGRESP
        assertRefused(Reason.PROTOCOL_VIOLATION, connect(), bytes(0x20, 2, 0, 0)); // CONNACK
    }

    @Test
    void remainingLengthAboveTheLimitIsTooLargeAndNotBuffered() {
        EmbeddedChannel ch = channel();
        feed(ch, connect(), bytes(0x30, 0xFF, 0xFF, 0xFF, 0x7F, 0, 1, 'a'));
        assertThat(ch.isOpen()).isFalse();
        assertThat(errors.count(Reason.PACKET_TOO_LARGE)).isEqualTo(1);
    }

    @Test
    void fiveByteRemainingLengthIsMalformed() {
        assertRefused(Reason.MALFORMED_PACKET, bytes(0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F));
    }

    @Test
    void everyRefusalIsOneLogLineWithReasonAndAddressAndNoStackTrace() {
        assertRefused(Reason.NOT_CONNECT_FIRST, bytes(0xC0, 0));
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).startsWith("WARN Peer error not_connect_first from embedded").doesNotContain("\n");
    }
}
