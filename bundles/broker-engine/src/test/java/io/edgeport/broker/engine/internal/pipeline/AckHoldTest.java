package io.edgeport.broker.engine.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;

/**
 * What AckHold lets through while a subscriber is behind: acknowledgements wait, in order, until every holder
 * released them or the hold expired; everything else passes at once.
 */
class AckHoldTest {

    private final AckHold hold = new AckHold(null);
    private final EmbeddedChannel ch = new EmbeddedChannel(hold);
    private final Object queueA = new Object();
    private final Object queueB = new Object();

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
    }

    private static MqttMessage ack(MqttMessageType type, int id) {
        return new MqttMessage(new MqttFixedHeader(type, false, MqttQoS.AT_MOST_ONCE, false, 0),
                MqttMessageIdVariableHeader.from(id));
    }

    private static MqttMessage ping() {
        return new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGRESP, false, MqttQoS.AT_MOST_ONCE, false, 0));
    }

    private List<String> written() {
        List<String> out = new ArrayList<>();
        for (Object m; (m = ch.readOutbound()) != null;) {
            MqttMessage msg = (MqttMessage) m;
            Object vh = msg.variableHeader();
            out.add(msg.fixedHeader().messageType()
                    + (vh instanceof MqttMessageIdVariableHeader ? " " + ((MqttMessageIdVariableHeader) vh).messageId()
                            : ""));
        }
        return out;
    }

    @Test
    void acknowledgementsWaitInOrderUntilEveryHolderReleasedThem() {
        ch.writeAndFlush(ack(MqttMessageType.PUBACK, 1));
        AckHold.hold(ch, queueA);
        AckHold.hold(ch, queueB);
        ch.writeAndFlush(ack(MqttMessageType.PUBACK, 2));
        ch.writeAndFlush(ping());
        ch.writeAndFlush(ack(MqttMessageType.PUBREC, 3));
        assertThat(written()).containsExactly("PUBACK 1", "PINGRESP");
        assertThat(hold.heldCount()).isEqualTo(2);

        AckHold.release(ch, queueA);
        assertThat(written()).as("queue B still holds").isEmpty();
        AckHold.release(ch, queueB);
        assertThat(written()).containsExactly("PUBACK 2", "PUBREC 3");
        ch.writeAndFlush(ack(MqttMessageType.PUBACK, 4));
        assertThat(written()).containsExactly("PUBACK 4");
    }

    @Test
    void aHoldEndsAfterTheLimitEvenIfItsHolderNeverReleases() {
        ch.freezeTime();
        AckHold.hold(ch, queueA);
        ch.writeAndFlush(ack(MqttMessageType.PUBACK, 7));
        ch.advanceTimeBy(AckHold.MAX_HOLD_MS - 1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(written()).isEmpty();
        ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(written()).containsExactly("PUBACK 7");
        assertThat(hold.expired).isEqualTo(1);
        AckHold.release(ch, queueA); // late release of an expired hold: harmless
        ch.writeAndFlush(ack(MqttMessageType.PUBACK, 8));
        assertThat(written()).containsExactly("PUBACK 8");
    }

    @Test
    void heldAcknowledgementsAreDroppedWhenTheConnectionCloses() {
        AckHold.hold(ch, queueA);
        var future = ch.writeAndFlush(ack(MqttMessageType.PUBACK, 9));
        ch.close();
        assertThat(future.isDone()).isTrue();
        assertThat(future.isSuccess()).isFalse();
        assertThat(hold.holding()).isFalse();
    }
}
