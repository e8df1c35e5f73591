package io.edgeport.broker.engine.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.moquette.broker.ISessionsRepository;
import io.moquette.broker.MoquetteInternals;
import io.moquette.broker.SessionMessageQueue;
import io.moquette.broker.SessionRegistry;
import io.moquette.broker.subscriptions.Subscription;
import io.moquette.broker.subscriptions.Topic;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;

/**
 * The broker store across crashes: what was written to the log before the crash is there after it (queues, in-flight
 * messages, retained messages, subscriptions, sessions), whether or not a checkpoint came in between; what was not
 * written is not; replaying records a checkpoint already holds changes nothing.
 */
class DurableStateTest {

    private final Path dir = Path.of("target", "store-tests", Long.toString(System.nanoTime()));
    private DurableState state;

    private DurableState open() throws IOException {
        state = DurableState.open(dir, Clock.systemUTC(), MoquetteInternals::h2, false);
        return state;
    }

    @AfterEach
    void close() throws IOException {
        if (state != null) {
            state.close();
        }
    }

    private void crash() throws IOException {
        state.crash();
        state = null;
    }

    private static SessionRegistry.PublishedMessage msg(String topic, String text) {
        return new SessionRegistry.PublishedMessage(new Topic(topic), MqttQoS.AT_LEAST_ONCE,
                Unpooled.copiedBuffer(text, StandardCharsets.UTF_8), false);
    }

    private static SessionRegistry.PublishedMessage qos2(String topic, String text) {
        return new SessionRegistry.PublishedMessage(new Topic(topic), MqttQoS.EXACTLY_ONCE,
                Unpooled.copiedBuffer(text, StandardCharsets.UTF_8), false);
    }

    /** Delivers everything queued for {@code clientId} as a session does: each sent, then acknowledged. */
    private static List<String> drain(DurableState s, String clientId) {
        SessionMessageQueue<SessionRegistry.EnqueuedMessage> q = s.queues().getOrCreateQueue(clientId);
        List<String> out = new ArrayList<>();
        while (!q.isEmpty()) {
            SessionRegistry.PublishedMessage m = (SessionRegistry.PublishedMessage) q.dequeue();
            out.add(m.getTopic() + "=" + m.getPayload().toString(StandardCharsets.UTF_8));
            s.inflightRemove(clientId, s.inflightPut(clientId, out.size(), m, -1));
            m.release();
        }
        return out;
    }

    @Test
    void queuedMessagesWrittenToTheLogSurviveACrash() throws IOException {
        DurableState s = open();
        var q = s.queues().getOrCreateQueue("sub-1");
        for (int i = 1; i <= 5; i++) {
            q.enqueue(msg("t/" + i, "m" + i));
        }
        SessionRegistry.PublishedMessage first = (SessionRegistry.PublishedMessage) q.dequeue(); // delivered
        long key = s.inflightPut("sub-1", 1, first, -1);
        first.release();
        s.inflightRemove("sub-1", key); // and acknowledged
        s.log().flush();
        q.enqueue(msg("t/6", "not written before the crash"));
        crash();

        DurableState again = open();
        assertThat(again.queues().containsQueue("sub-1")).isTrue();
        assertThat(drain(again, "sub-1")).containsExactly("t/2=m2", "t/3=m3", "t/4=m4",
                "t/5=m5");
    }

    @Test
    void aMessageHandedOutButNotYetRecordedInFlightIsStillQueuedAfterACrash() throws IOException {
        DurableState s = open();
        var q = s.queues().getOrCreateQueue("sub-1");
        q.enqueue(msg("t/1", "m1"));
        q.enqueue(msg("t/2", "m2"));
        q.dequeue().release(); // Moquette's drain: the in-flight record would come next...
        assertThat(q.isEmpty()).isFalse();
        s.log().flush(); // ...but a group commit ran in between, then the kill
        crash();

        DurableState again = open();
        assertThat(again.requeueInflight().messages()).isZero();
        assertThat(drain(again, "sub-1")).as("m1 was neither acknowledged nor lost")
                .containsExactly("t/1=m1", "t/2=m2");
    }

    @Test
    void leavingTheQueueAndGoingInFlightIsOneStep() throws IOException {
        DurableState s = open();
        var q = s.queues().getOrCreateQueue("sub-1");
        q.enqueue(msg("t/1", "m1"));
        q.enqueue(msg("t/2", "m2"));
        SessionRegistry.PublishedMessage m1 = (SessionRegistry.PublishedMessage) q.dequeue();
        s.inflightPut("sub-1", 7, m1, -1);
        m1.release();
        s.log().flush();
        crash();

        DurableState again = open();
        assertThat(again.requeueInflight().messages()).isEqualTo(1);
        assertThat(drain(again, "sub-1")).as("once, in order")
                .containsExactly("t/1=m1", "t/2=m2");
    }

    @Test
    void requeuedMessagesAreSentOnceEachAfterARestart() throws IOException {
        DurableState s = open();
        var q = s.queues().getOrCreateQueue("sub-1");
        for (String m : List.of("m1", "m2", "m3")) {
            q.enqueue(msg("t", m));
            SessionRegistry.PublishedMessage p = (SessionRegistry.PublishedMessage) q.dequeue();
            s.inflightPut("sub-1", 1, p, -1);
            p.release();
        }
        q.enqueue(msg("t", "m4"));
        s.log().flush();
        crash();

        DurableState again = open();
        assertThat(again.requeueInflight().messages()).isEqualTo(3);
        var q2 = again.queues().getOrCreateQueue("sub-1");
        List<String> sent = new ArrayList<>();
        int id = 0;
        while (!q2.isEmpty() && sent.size() < 10) { // Moquette's drain
            SessionRegistry.PublishedMessage p = (SessionRegistry.PublishedMessage) q2.dequeue();
            again.inflightPut("sub-1", ++id, p, -1);
            sent.add(p.getPayload().toString(StandardCharsets.UTF_8));
            p.release();
        }
        assertThat(sent).containsExactly("m1", "m2", "m3", "m4");
    }

    @Test
    void aPubrelMarkerReplacesItsMessageInOneStep() throws IOException {
        DurableState s = open();
        s.queues().getOrCreateQueue("sub-2");
        SessionRegistry.PublishedMessage q2 = qos2("t/2", "once");
        long msgKey = s.inflightPut("sub-2", 9, q2, -1);
        s.inflightMarker("sub-2", 9, msgKey); // PUBREC
        s.log().flush();
        crash();

        DurableState again = open();
        DurableState.Requeued r = again.requeueInflight();
        assertThat(r.owed().get("sub-2")).as("the PUBREL only, not the message as well").hasSize(1);
        assertThat(r.owed().get("sub-2").get(0).message()).isNull();
    }

    /**
     * Moquette 0.17's {@code Session.processPubRec} removes the QoS 2 message from the in-flight window and then puts
     * the PUBREL marker: two calls. A group commit between them (then a kill) must not leave the store with neither,
     * or the client, which holds the message under its packet id awaiting PUBREL, never gets the PUBREL and drops
     * the message when that id is reused (the CrashTest loss: "19 owed" where 20 were in flight).
     */
    @Test
    void aPubrecHandledAsMoquetteDoesNeverLeavesTheStoreWithoutItsPacketId() throws IOException {
        DurableState s = open();
        s.queues().getOrCreateQueue("sub-2");
        io.edgeport.broker.engine.internal.session.DurableInflight window =
                new io.edgeport.broker.engine.internal.session.DurableInflight(s, "sub-2");
        window.put(9, qos2("t/2", "held by the client"));
        window.remove(9).release(); // PUBREC: Moquette's first step...
        s.log().flush(); // ...a group commit...
        crash(); // ...and the kill, before the marker

        DurableState again = open();
        DurableState.Requeued r = again.requeueInflight();
        assertThat(r.owed().get("sub-2")).as("packet id 9 is still owed to the client").hasSize(1);
        assertThat(r.owed().get("sub-2").get(0).packetId()).isEqualTo(9);
        r.owed().get("sub-2").forEach(o -> {
            if (o.message() != null) {
                o.message().release();
            }
        });
    }

    @Test
    void aPubrecHandledAsMoquetteDoesReplacesTheMessageByItsMarkerInOneRecord() throws IOException {
        DurableState s = open();
        s.queues().getOrCreateQueue("sub-2");
        io.edgeport.broker.engine.internal.session.DurableInflight window =
                new io.edgeport.broker.engine.internal.session.DurableInflight(s, "sub-2");
        window.put(9, qos2("t/2", "m"));
        window.remove(9).release();
        window.put(9, new SessionRegistry.PubRelMarker());
        s.log().flush();
        crash();

        DurableState again = open();
        DurableState.Requeued r = again.requeueInflight();
        assertThat(r.owed().get("sub-2")).as("the PUBREL only").hasSize(1);
        assertThat(r.owed().get("sub-2").get(0).message()).isNull();
    }

    @Test
    void aQos2MessageRemovedWithoutAMarkerIsForgottenAtTheNextChange() throws IOException {
        DurableState s = open();
        s.queues().getOrCreateQueue("sub-2");
        io.edgeport.broker.engine.internal.session.DurableInflight window =
                new io.edgeport.broker.engine.internal.session.DurableInflight(s, "sub-2");
        window.put(9, qos2("t/2", "m"));
        window.remove(9).release(); // a PUBCOMP without PUBREC, or Moquette's PUBREC while disconnected
        window.put(10, msg("t/1", "next"));
        window.remove(10).release(); // PUBACK
        s.log().flush();
        crash();

        assertThat(open().requeueInflight().owed()).isEmpty();
    }

    @Test
    void inflightMessagesGoBackToTheFrontOfTheirQueueInSendOrder() throws IOException {
        DurableState s = open();
        var q = s.queues().getOrCreateQueue("sub-1");
        q.enqueue(msg("t/q", "queued"));
        long a = s.inflightPut("sub-1", 1, msg("t/a", "a"));
        long b = s.inflightPut("sub-1", 2, msg("t/b", "b"));
        s.inflightPut("sub-1", 3, msg("t/c", "c"));
        s.inflightRemove("sub-1", b); // acknowledged
        s.inflightPut("gone", 4, msg("t/x", "session ended")); // no queue: dropped at recovery
        s.log().flush();
        assertThat(a).isLessThan(b);
        crash();

        DurableState again = open();
        assertThat(again.requeueInflight().messages()).isEqualTo(2);
        assertThat(drain(again, "sub-1")).containsExactly("t/a=a", "t/c=c", "t/q=queued");
        again.log().flush();
        crash();
        assertThat(open().requeueInflight().messages()).as("requeued once, not at every start").isZero();
    }

    @Test
    void aPubrelStillOwedComesBackAsAMarkerNotAsTheMessage() throws IOException {
        DurableState s = open();
        s.queues().getOrCreateQueue("sub-2");
        long msgKey = s.inflightPut("sub-2", 77, msg("t/q2", "has it"));
        s.inflightRemove("sub-2", msgKey); // PUBREC came: the message is replaced by the owed PUBREL
        s.inflightMarker("sub-2", 77);
        s.log().flush();
        crash();

        DurableState again = open();
        DurableState.Requeued r = again.requeueInflight();
        assertThat(r.messages()).isZero();
        assertThat(r.owed()).containsOnlyKeys("sub-2");
        assertThat(r.owed().get("sub-2")).hasSize(1);
        assertThat(r.owed().get("sub-2").get(0).packetId()).isEqualTo(77);
        assertThat(r.owed().get("sub-2").get(0).message()).as("a PUBREL, not the message").isNull();
        assertThat(again.queuedMessages()).isZero();
        again.inflightRemove("sub-2", r.owed().get("sub-2").get(0).key()); // PUBCOMP
        again.log().flush();
        crash();
        assertThat(open().requeueInflight().owed()).isEmpty();
    }

    @Test
    void aQos2MessageInFlightComesBackUnderItsPacketIdNotThroughTheQueue() throws IOException {
        DurableState s = open();
        s.queues().getOrCreateQueue("sub-3");
        SessionRegistry.PublishedMessage q2 = qos2("t/2", "twice? never");
        s.inflightPut("sub-3", 4242, q2);
        s.inflightPut("sub-3", 4243, msg("t/1", "qos1")); // QoS 1: back through the queue
        s.log().flush();
        crash();

        DurableState again = open();
        DurableState.Requeued r = again.requeueInflight();
        assertThat(r.messages()).isEqualTo(1);
        DurableState.Owed owed = r.owed().get("sub-3").get(0);
        assertThat(owed.packetId()).isEqualTo(4242);
        assertThat(owed.message().getPublishingQos()).isEqualTo(MqttQoS.EXACTLY_ONCE);
        assertThat(owed.message().getPayload().toString(StandardCharsets.UTF_8)).isEqualTo("twice? never");
        owed.message().release();
        assertThat(drain(again, "sub-3")).containsExactly("t/1=qos1");
    }

    @Test
    void changesAfterACheckpointAreReplayedOnceAndOnlyOnce() throws IOException {
        DurableState s = open();
        var q = s.queues().getOrCreateQueue("sub-1");
        q.enqueue(msg("t/1", "before"));
        s.log().flush();
        s.checkpoint();
        q.enqueue(msg("t/2", "after"));
        s.log().flush();
        // a checkpoint that already holds t/3 but records a position before its log record (it raced with it)
        long beforeT3 = s.log().appendedPosition();
        q.enqueue(msg("t/3", "raced"));
        SessionRegistry.PublishedMessage m1 = (SessionRegistry.PublishedMessage) q.dequeue(); // t/1 delivered...
        s.inflightRemove("sub-1", s.inflightPut("sub-1", 1, m1, -1)); // ...and acknowledged, after the position
        m1.release();
        s.log().flush();
        s.checkpointAt(beforeT3);
        crash();

        DurableState again = open();
        assertThat(drain(again, "sub-1")).containsExactly("t/2=after", "t/3=raced");
        again.log().flush();
        again.checkpoint();
        crash();
        assertThat(open().queuedMessages()).isZero();
    }

    @Test
    void retainedSubscriptionsAndSessionsSurviveACrash() throws IOException {
        DurableState s = open();
        s.retained().retain(new Topic("status/a"), publish("status/a", "on"));
        s.retained().retain(new Topic("status/b"), publish("status/b", "on"));
        s.retained().retain(new Topic("status/a"), publish("status/a", "off"));
        s.retained().cleanRetained(new Topic("status/b"));
        s.subscriptions().addNewSubscription(new Subscription("sub-1", new Topic("sensors/#"), MqttQoS.AT_LEAST_ONCE));
        s.subscriptions().addNewSubscription(new Subscription("sub-1", new Topic("alerts/#"), MqttQoS.EXACTLY_ONCE));
        s.subscriptions().removeSubscription("alerts/#", "sub-1");
        s.sessions().saveSession(new ISessionsRepository.SessionData("sub-1", MqttVersion.MQTT_3_1_1, 3600,
                Clock.systemUTC()));
        s.sessions().saveSession(new ISessionsRepository.SessionData("old", MqttVersion.MQTT_3_1_1, 3600,
                Clock.systemUTC()));
        s.sessions().delete(new ISessionsRepository.SessionData("old", MqttVersion.MQTT_3_1_1, 0, Clock.systemUTC()));
        s.log().flush();
        crash();

        DurableState again = open();
        var retained = again.retained().retainedOnTopic("#");
        assertThat(retained).hasSize(1);
        assertThat(new String(retained.get(0).getPayload(), StandardCharsets.UTF_8)).isEqualTo("off");
        assertThat(again.subscriptions().listAllSubscriptions()).extracting(sub -> sub.getTopicFilter().toString())
                .containsExactly("sensors/#");
        assertThat(again.sessions().list()).extracting(ISessionsRepository.SessionData::clientId)
                .containsExactly("sub-1");
        assertThat(again.sessions().list().iterator().next().expiryInterval()).isEqualTo(3600);
    }

    private static MqttPublishMessage publish(String topic, String text) {
        return new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_LEAST_ONCE, true,
                0), new MqttPublishVariableHeader(topic, 0), Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }
}
