package io.edgeport.broker.engine.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.edgeport.broker.engine.EngineSettings.CertificateUsername;
import io.edgeport.broker.engine.Topics;
import io.moquette.broker.EdgeportServer;
import io.moquette.broker.config.MemoryConfig;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;

/**
 * A seeded mutation fuzzer against the engine's real pipeline and Moquette (with persistence): valid CONNECT, PUBLISH,
 * SUBSCRIBE, UNSUBSCRIBE, PINGREQ, ack and DISCONNECT sequences with bytes flipped, inserted, deleted, cut, and
 * remaining lengths set to the maximum, one connection each. Afterwards a normal client connects, subscribes, publishes
 * and receives; the log grew by less than 2 MB and has no stack trace. Bounded by {@link #CONNECTIONS} or
 * {@link #BUDGET_SECONDS}, whichever comes first; nothing is asserted about time. Reproduce a run with
 * {@code -Dfuzz.seed=N} (the seed is in every failure message).
 */
class MqttFuzzTest {

    static final int CONNECTIONS = Integer.getInteger("fuzz.connections", 2_000);
    static final int BUDGET_SECONDS = 30;
    static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());

    private final EdgeportServer server = new EdgeportServer();
    private ChannelPipelines pipelines;
    private PrintStream originalErr;

    @AfterEach
    void tearDown() {
        if (originalErr != null) {
            System.setErr(originalErr);
        }
        server.stop();
    }

    private void start(Path data) throws Exception {
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        p.setProperty("port", "0");
        p.setProperty("persistence_enabled", "true");
        p.setProperty("data_path", data.toString());
        p.setProperty("telemetry_enabled", "false");
        p.setProperty("allow_zero_byte_client_id", "true");
        p.setProperty("netty.mqtt.message_size", Integer.toString(64 * 1024));
        p.setProperty("netty.channel_timeout.seconds", "2");
        pipelines = new ChannelPipelines(0, 65_535, 60 * 1024, CertificateUsername.NONE, Topics::matches);
        server.start(new MemoryConfig(p), List.of(), (io.netty.handler.ssl.SslContext) null, null, null, pipelines);
    }

    @Test
    void mutatedPacketsAreRefusedQuietlyAndTheBrokerServesAfterwards() throws Exception {
        Path data = Files.createDirectories(Path.of("target", "fuzz", "data-" + SEED));
        Log log = new Log();
        originalErr = System.err;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        start(data);
        int port = server.boundPort(EdgeportServer.MQTT);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BUDGET_SECONDS);
        AtomicInteger done = new AtomicInteger();
        LinkedBlockingQueue<Integer> work = new LinkedBlockingQueue<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            work.add(i);
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            running.add(pool.submit(() -> {
                for (Integer i; (i = work.poll()) != null && System.nanoTime() < deadline; ) {
                    fuzzOne(port, new Random(SEED * 31 + i));
                    done.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get(BUDGET_SECONDS + 30, TimeUnit.SECONDS);
        }
        pool.shutdown();

        String seed = "seed " + SEED + " (-Dfuzz.seed=" + SEED + "), " + done.get() + " connections";
        assertThat(done.get()).as(seed).isGreaterThan(100);
        assertThat(serves(port)).as("a normal client is served after the fuzzing; " + seed).isTrue();
        System.setErr(originalErr);
        originalErr = null;

        String text = log.text();
        Files.writeString(data.resolveSibling("log-" + SEED + ".txt"), text); // for whoever investigates a failure
        System.err.println("MqttFuzzTest " + seed + ": log " + log.size() + " bytes, peer errors "
                + pipelines.peerErrors().counts());
        assertThat(log.size()).as("log bytes; " + seed).isLessThan(2_000_000);
        assertThat(text).as("no stack trace in the log; " + seed).doesNotContain("\tat ");
        assertThat(text).as("no ERROR line; " + seed).doesNotContain(" ERROR ");
        assertThat(pipelines.peerErrors().count(PeerErrors.Reason.MALFORMED_PACKET)).as(seed).isPositive();
    }

    /** One connection: a valid session's packets, mutated, sent; reads what comes back for a moment, then closes. */
    static void fuzzOne(int port, Random r) {
        byte[] bytes = mutate(session(r), r);
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(100);
            s.setSoLinger(r.nextBoolean(), 0); // half of them end with a reset
            OutputStream out = s.getOutputStream();
            int cut = bytes.length > 1 && r.nextBoolean() ? r.nextInt(bytes.length) : bytes.length;
            out.write(bytes, 0, cut);
            out.flush();
            if (cut < bytes.length) {
                out.write(bytes, cut, bytes.length - cut); // the rest in a second segment
                out.flush();
            }
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            while (in.read(buf) >= 0) {
                // drain until the broker closes or 100 ms pass
            }
        } catch (IOException e) {
            // refused, reset or timed out: all expected
        }
    }

    /** A valid CONNECT followed by 0-4 valid packets. */
    static byte[] session(Random r) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        MqttVersion version = r.nextInt(5) == 0 ? MqttVersion.MQTT_3_1 : MqttVersion.MQTT_3_1_1;
        String id = r.nextInt(4) == 0 && version == MqttVersion.MQTT_3_1_1 ? "" : "fuzz-" + r.nextInt(50);
        MqttMessageBuilders.ConnectBuilder c = MqttMessageBuilders.connect().clientId(id).protocolVersion(version)
                .keepAlive(r.nextInt(3) * 30).cleanSession(id.isEmpty() || r.nextBoolean());
        if (r.nextInt(4) == 0) {
            c.willFlag(true).willTopic("fuzz/will").willMessage(new byte[] {1, 2}).willQoS(MqttQoS.valueOf(r.nextInt(3)))
                    .willRetain(r.nextBoolean());
        }
        if (r.nextInt(4) == 0) {
            c.hasUser(true).username("u").hasPassword(true).password(new byte[] {'p'});
        }
        write(b, c.build());
        int n = r.nextInt(5);
        for (int i = 0; i < n; i++) {
            int id2 = 1 + r.nextInt(100);
            switch (r.nextInt(7)) {
                case 0 -> write(b, Packets.publish("fuzz/" + r.nextInt(5), MqttQoS.valueOf(r.nextInt(3)), id2, false,
                        r.nextInt(40)));
                case 1 -> write(b, MqttMessageBuilders.subscribe().messageId(id2)
                        .addSubscription(MqttQoS.valueOf(r.nextInt(3)), r.nextBoolean() ? "fuzz/#" : "+/x").build());
                case 2 -> write(b, MqttMessageBuilders.unsubscribe().messageId(id2).addTopicFilter("fuzz/#").build());
                case 3 -> write(b, Packets.ack(MqttMessageType.PUBACK, id2));
                case 4 -> write(b, PublishGuard.ack(MqttMessageType.PUBREL, id2));
                case 5 -> b.writeBytes(new byte[] {(byte) 0xC0, 0});
                default -> b.writeBytes(new byte[] {(byte) 0xE0, 0});
            }
        }
        return b.toByteArray();
    }

    private static void write(ByteArrayOutputStream b, MqttMessage m) {
        ByteBuf buf = Packets.encode(m);
        byte[] a = new byte[buf.readableBytes()];
        buf.readBytes(a);
        buf.release();
        b.writeBytes(a);
    }

    /** 1-5 mutations: flip bits, overwrite, insert, delete, cut, or a maximal remaining length. */
    static byte[] mutate(byte[] in, Random r) {
        List<Byte> b = new ArrayList<>(in.length + 16);
        for (byte x : in) {
            b.add(x);
        }
        int n = 1 + r.nextInt(5);
        for (int i = 0; i < n && !b.isEmpty(); i++) {
            int at = r.nextInt(b.size());
            switch (r.nextInt(6)) {
                case 0 -> b.set(at, (byte) (b.get(at) ^ (1 << r.nextInt(8))));
                case 1 -> b.set(at, (byte) r.nextInt(256));
                case 2 -> {
                    for (int k = 1 + r.nextInt(8); k > 0; k--) {
                        b.add(at, (byte) r.nextInt(256));
                    }
                }
                case 3 -> {
                    for (int k = Math.min(1 + r.nextInt(8), b.size() - at); k > 0; k--) {
                        b.remove(at);
                    }
                }
                case 4 -> b.subList(at, b.size()).clear();
                default -> {
                    // remaining length 268,435,455 right after a fixed header byte
                    b.set(at, (byte) 0xFF);
                    b.add(at + 1, (byte) 0xFF);
                    b.add(at + 2, (byte) 0xFF);
                    b.add(at + 3, (byte) 0x7F);
                }
            }
        }
        byte[] out = new byte[b.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.get(i);
        }
        return out;
    }

    /** A normal client: connect, subscribe, publish QoS 1, receive it. */
    private static boolean serves(int port) throws Exception {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, "after-fuzz", new MemoryPersistence());
        try {
            c.setTimeToWait(10_000);
            LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(true);
            c.connect(o);
            c.subscribe("after/fuzz", 1, (topic, msg) -> got.add(new String(msg.getPayload(), StandardCharsets.UTF_8)));
            c.publish("after/fuzz", "still here".getBytes(StandardCharsets.UTF_8), 1, false);
            return "still here".equals(got.poll(10, TimeUnit.SECONDS));
        } finally {
            if (c.isConnected()) {
                c.disconnect();
            }
            c.close();
        }
    }

    /** Collects what is logged (slf4j-simple writes to the current System.err), bounded at 4 MB. */
    static final class Log extends OutputStream {
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final AtomicLong size = new AtomicLong();

        @Override
        public synchronized void write(int b) {
            size.incrementAndGet();
            if (kept.size() < 4_000_000) {
                kept.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            size.addAndGet(len);
            if (kept.size() < 4_000_000) {
                kept.write(b, off, len);
            }
        }

        long size() {
            return size.get();
        }

        synchronized String text() {
            return kept.toString(StandardCharsets.UTF_8);
        }
    }
}
