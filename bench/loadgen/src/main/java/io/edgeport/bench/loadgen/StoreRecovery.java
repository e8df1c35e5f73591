package io.edgeport.bench.loadgen;

import java.nio.file.Path;
import java.time.Clock;

import io.edgeport.broker.engine.internal.store.DurableState;
import io.moquette.broker.MoquetteInternals;
import io.moquette.broker.SessionMessageQueue;
import io.moquette.broker.SessionRegistry;
import io.moquette.broker.subscriptions.Topic;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttQoS;

/**
 * Recovery time of the broker store (issue: below 2 s for 1,000,000 stored messages), in two processes as a crash
 * has them: {@code fill DIR N SESSIONS CHECKPOINTS} queues N messages of 128 bytes for SESSIONS offline persistent
 * sessions, writing the log as the broker does and (with CHECKPOINTS=true) checkpointing when the broker would (every
 * 32 MB of log), then exits without closing anything — what kill -9 leaves. {@code open DIR} opens the store and
 * prints how long recovery took and what it found.
 */
public final class StoreRecovery {

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        if (args[0].equals("fill")) {
            long n = Long.parseLong(args[2]);
            int sessions = Integer.parseInt(args[3]);
            boolean checkpoints = Boolean.parseBoolean(args[4]);
            DurableState s = DurableState.open(dir, Clock.systemUTC(), MoquetteInternals::h2, false);
            @SuppressWarnings("unchecked")
            SessionMessageQueue<SessionRegistry.EnqueuedMessage>[] queues = new SessionMessageQueue[sessions];
            for (int i = 0; i < sessions; i++) {
                queues[i] = s.queues().getOrCreateQueue("offline-" + i);
            }
            byte[] payload = new byte[128];
            java.util.Arrays.fill(payload, (byte) 'x');
            long t0 = System.nanoTime();
            for (long i = 0; i < n; i++) {
                queues[(int) (i % sessions)].enqueue(new SessionRegistry.PublishedMessage(
                        new Topic("sensors/lab/temperature/d" + (i % sessions) + "/reading"), MqttQoS.AT_LEAST_ONCE,
                        Unpooled.wrappedBuffer(payload), false));
                if (i % 1000 == 999) {
                    s.log().flush(); // a group commit
                    if (checkpoints && s.checkpointDue(Long.MAX_VALUE)) {
                        s.checkpoint();
                    }
                }
            }
            s.log().flush();
            System.out.printf("filled %,d messages in %,d ms; %,d KB of log written%n", n,
                    (System.nanoTime() - t0) / 1_000_000, s.log().bytesSince(0) / 1024);
            Runtime.getRuntime().halt(0); // no close, no shutdown hooks: as kill -9
        }
        long t0 = System.nanoTime();
        DurableState s = DurableState.open(dir, Clock.systemUTC(), MoquetteInternals::h2, false);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("recovered in %,d ms (MVStore open %,d ms, log replay %,d ms): %,d queued messages, %,d log "
                + "records replayed (%,d KB)%n", ms, s.recovery.storeMillis, s.recovery.replayMillis,
                s.queuedMessages(), s.recovery.records, s.recovery.bytes / 1024);
        Runtime.getRuntime().halt(0);
    }
}
