package io.edgeport.bench.loadgen;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.edgeport.broker.engine.internal.store.DurableState;
import io.moquette.broker.MoquetteInternals;
import io.moquette.broker.SessionMessageQueue;
import io.moquette.broker.SessionRegistry;
import io.moquette.broker.subscriptions.Topic;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttQoS;

/**
 * The broker store under kill -9 at random moments, checkpoints included (bench/store-torture.sh). A child process
 * queues messages as fast as it can, writes the log every 100 messages (a group commit) and prints how many are
 * durable; a checkpoint runs whenever 256 KB of log accumulated, so kills land in checkpoints too. The parent kills it
 * (SIGKILL) after a random 0.3-2 s, opens the store and requires every message the child reported durable to be there,
 * and the store log to be complete. {@code KILLS DIR}.
 */
public final class StoreTorture {

    public static void main(String[] args) throws Exception {
        if (args[0].equals("child")) {
            child(Path.of(args[1]));
            return;
        }
        int kills = Integer.parseInt(args[0]);
        Path dir = Path.of(args[1]);
        Random random = new Random();
        String cp = System.getProperty("java.class.path");
        long durable = 0;
        int failures = 0;
        for (int k = 1; k <= kills; k++) {
            Process p = new ProcessBuilder(List.of("java", "-Xmx256m", "-cp", cp, StoreTorture.class.getName(),
                    "child", dir.toString())).redirectErrorStream(true).start();
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500 + 300 + random.nextInt(1700));
            String line;
            while (System.nanoTime() < deadline && (line = r.readLine()) != null) {
                if (line.startsWith("durable ")) {
                    durable = Long.parseLong(line.substring(8));
                }
            }
            p.destroyForcibly().waitFor();
            DurableState s = DurableState.open(dir, Clock.systemUTC(), MoquetteInternals::h2, false);
            long queued = s.queuedMessages();
            boolean ok = queued >= durable && !s.recovery.logMissing;
            failures += ok ? 0 : 1;
            System.out.printf("kill %d: reported durable %,d, in the store %,d, replayed %,d records in %,d ms%s%n", k,
                    durable, queued, s.recovery.records, s.recovery.millis, ok ? "" : "  LOST");
            s.close();
        }
        System.out.printf("TORTURE kills=%d failures=%d%n", kills, failures);
        System.exit(failures == 0 ? 0 : 1);
    }

    private static void child(Path dir) throws Exception {
        DurableState s = DurableState.open(dir, Clock.systemUTC(), MoquetteInternals::h2, false);
        SessionMessageQueue<SessionRegistry.EnqueuedMessage> q = s.queues().getOrCreateQueue("torture");
        long n = s.queuedMessages();
        byte[] payload = new byte[128];
        long lastCheckpoint = s.log().appendedPosition();
        // A second session's queue, filled and drained on another thread (as a subscriber's session loop does), so
        // that the store is read and changed concurrently with the checkpoints, as in the broker.
        SessionMessageQueue<SessionRegistry.EnqueuedMessage> other = s.queues().getOrCreateQueue("drained");
        Thread drainer = new Thread(() -> {
            while (true) {
                for (int i = 0; i < 50; i++) {
                    other.enqueue(new SessionRegistry.PublishedMessage(new Topic("d"), MqttQoS.AT_LEAST_ONCE,
                            Unpooled.wrappedBuffer(payload), false));
                }
                for (int i = 0; i < 50; i++) {
                    SessionRegistry.EnqueuedMessage m = other.dequeue();
                    if (m != null) {
                        m.release();
                    }
                }
            }
        });
        drainer.setDaemon(true);
        drainer.start();
        while (true) {
            for (int i = 0; i < 100; i++) {
                q.enqueue(new SessionRegistry.PublishedMessage(new Topic("t/" + (n % 10)), MqttQoS.AT_LEAST_ONCE,
                        Unpooled.wrappedBuffer(payload), false));
                n++;
            }
            s.log().flush();
            System.out.println("durable " + n);
            if (s.log().appendedPosition() - lastCheckpoint > 256 * 1024) {
                s.checkpoint();
                lastCheckpoint = s.log().appendedPosition();
            }
        }
    }
}
