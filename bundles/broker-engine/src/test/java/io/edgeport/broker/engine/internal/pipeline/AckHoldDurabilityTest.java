package io.edgeport.broker.engine.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.edgeport.broker.engine.internal.store.GroupCommit;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;

/**
 * Acknowledgements wait for the store: none leaves before the group commit that started after it was written, they
 * keep their order, a persistent session's CONNACK holds everything behind it, a clean session's does not wait.
 */
class AckHoldDurabilityTest {

    /** Each permit lets one commit finish. */
    private final Semaphore commits = new Semaphore(0);
    private final GroupCommit gc = new GroupCommit("test-commit", null, commits::acquire, Long.MAX_VALUE);
    private final EmbeddedChannel ch = new EmbeddedChannel(new AckHold(gc));

    @AfterEach
    void close() {
        commits.release(1_000); // a committer blocked in a round ends it
        gc.close();
        ch.finishAndReleaseAll();
    }

    private static MqttMessage ack(MqttMessageType type, int id) {
        return new MqttMessage(new MqttFixedHeader(type, false, MqttQoS.AT_MOST_ONCE, false, 0),
                MqttMessageIdVariableHeader.from(id));
    }

    private static MqttPublishMessage publish(int id) {
        return MqttMessageBuilders.publish().topicName("t").qos(MqttQoS.AT_LEAST_ONCE).messageId(id)
                .payload(Unpooled.copiedBuffer(new byte[] {1})).build();
    }

    private List<String> written() {
        ch.runPendingTasks();
        List<String> out = new ArrayList<>();
        for (Object m; (m = ch.readOutbound()) != null;) {
            MqttMessage msg = (MqttMessage) m;
            Object vh = msg.variableHeader();
            out.add(msg.fixedHeader().messageType()
                    + (vh instanceof MqttMessageIdVariableHeader v ? " " + v.messageId() : ""));
            io.netty.util.ReferenceCountUtil.release(m);
        }
        return out;
    }

    /** Lets one commit finish and waits until the committer reported it. */
    private void commit() throws InterruptedException {
        long before = gc.completed();
        commits.release();
        await("the committer reported the commit").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
                .until(gc::completed, completed -> completed > before);
        assertThat(gc.completed()).isGreaterThan(before);
    }

    @Test
    void acknowledgementsLeaveOnlyAfterTheirCommitAndInOrder() throws Exception {
        ch.writeAndFlush(ack(MqttMessageType.PUBACK, 1));
        ch.writeAndFlush(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGRESP, false, MqttQoS.AT_MOST_ONCE, false, 0)));
        assertThat(written()).as("the PINGRESP does not wait").containsExactly("PINGRESP");
        // PUBACK 1's round is running (blocked in commit): these need the next round
        await("PUBACK 1's round running").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
                .until(() -> gc.ticket() != 1);
        ch.writeAndFlush(ack(MqttMessageType.PUBREC, 2));
        ch.writeAndFlush(ack(MqttMessageType.SUBACK, 3));
        ch.writeAndFlush(publish(40));
        assertThat(written()).as("a PUBLISH to the client may overtake held acknowledgements")
                .containsExactly("PUBLISH");

        commit();
        assertThat(written()).containsExactly("PUBACK 1");
        commit();
        assertThat(written()).containsExactly("PUBREC 2", "SUBACK 3");
    }

    @Test
    void anAcknowledgementWaitsForTheCommandsRoutedToOtherLoopsBeforeTakingItsTicket() throws Exception {
        AckHold hold = AckHold.of(ch);
        assertThat(hold).as("registered on the channel when there is a store").isNotNull();
        hold.routed(); // a delivery queued to a subscriber's session loop, not yet run
        ch.writeAndFlush(ack(MqttMessageType.PUBACK, 1));
        EmbeddedChannel other = new EmbeddedChannel(new AckHold(gc));
        try {
            other.writeAndFlush(ack(MqttMessageType.PUBACK, 9)); // another client's: asks for a commit round
            commit();
            other.runPendingTasks();
            assertThat((Object) other.readOutbound()).isNotNull();
        } finally {
            other.finishAndReleaseAll();
        }
        assertThat(written()).as("what the delivery stores is not yet written: the PUBACK must not promise it")
                .isEmpty();
        hold.routed();
        hold.routeDone(); // the first delivery ran (the second came after the PUBACK: not waited for)
        ch.runPendingTasks();
        commit();
        assertThat(written()).containsExactly("PUBACK 1");
    }

    @Test
    void aPersistentSessionsConnackHoldsEverythingBehindIt() throws Exception {
        ch.writeInbound(MqttMessageBuilders.connect().clientId("c").cleanSession(false).build());
        ch.readInbound();
        ch.writeAndFlush(MqttMessageBuilders.connAck().returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED)
                .sessionPresent(true).build());
        ch.writeAndFlush(publish(7)); // a resend right after the CONNACK
        assertThat(written()).isEmpty();
        commit();
        assertThat(written()).containsExactly("CONNACK", "PUBLISH");
    }

    @Test
    void aCleanSessionsConnackDoesNotWait() {
        ch.writeInbound(MqttMessageBuilders.connect().clientId("c").cleanSession(true).build());
        ch.readInbound();
        ch.writeAndFlush(MqttMessageBuilders.connAck().returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED).build());
        assertThat(written()).containsExactly("CONNACK");
    }
}
