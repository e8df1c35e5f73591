package io.edgeport.blackbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: a flood of connections (opened as fast as one thread can, most never sending a CONNECT) and a subscriber
 * to {@code #} that never reads, while a normal client measures its round trip. The normal client gets every one of
 * its messages (its round trips are printed, not asserted), the gateway serves a new client afterwards, and its log
 * has no stack trace. Bounded: 20,000 connections or 60 s, at most 2,000 open at once.
 */
class FloodTest {

    @TempDir
    Path dir;

    @Test
    void aConnectionFloodAndAStuckSubscriberDoNotStopANormalClient() throws Exception {
        try (Gateway gw = new Gateway(dir).start()) {
            int port = gw.mqttPort;
            AtomicBoolean flooding = new AtomicBoolean(true);
            AtomicLong opened = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            byte[] connect = { 0x10, 0x0c, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 0 }; // empty client id
            Thread flood = new Thread(() -> {
                ArrayDeque<Socket> open = new ArrayDeque<>();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                try {
                    while (flooding.get() && opened.get() < 20_000 && System.nanoTime() < end) {
                        Socket s = new Socket();
                        try {
                            s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
                            opened.incrementAndGet();
                            if (opened.get() % 4 == 0) { // a quarter speak, the rest stay silent
                                s.getOutputStream().write(connect);
                            }
                            open.add(s);
                        } catch (IOException e) {
                            refused.incrementAndGet();
                            s.close();
                        }
                        while (open.size() > 2_000) {
                            open.poll().close();
                        }
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                } finally {
                    for (Socket s : open) {
                        try {
                            s.close();
                        } catch (IOException e) {
                            // closing anyway
                        }
                    }
                }
            }, "flood");

            try (Socket stuck = new Socket()) {
                stuck.setReceiveBufferSize(4096);
                stuck.connect(new InetSocketAddress("127.0.0.1", port));
                OutputStream out = stuck.getOutputStream();
                out.write(new byte[] { 0x10, 0x11, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 0, 0, 5, 's', 't', 'u', 'c',
                        'k' });
                out.write(new byte[] { (byte) 0x82, 0x06, 0, 1, 0, 1, '#', 1 }); // SUBSCRIBE '#' QoS 1
                out.flush();
                // it never reads from now on

                MqttClient normal = new MqttClient("tcp://127.0.0.1:" + port, "normal", new MemoryPersistence());
                MqttConnectOptions o = new MqttConnectOptions();
                o.setConnectionTimeout(30);
                normal.connect(o);
                LinkedBlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
                normal.subscribe("rtt/normal", 1, (t, m) -> arrivals.add(System.nanoTime()));
                flood.start();
                List<Double> rtt = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    long t0 = System.nanoTime();
                    normal.publish("rtt/normal", new byte[512], 1, false);
                    Long got = arrivals.poll(30, TimeUnit.SECONDS);
                    assertThat(got).as("message %d came back", i).isNotNull();
                    rtt.add((got - t0) / 1e6);
                    Thread.sleep(50); // pacing of the normal client: one round trip every 50 ms
                }
                flooding.set(false);
                flood.join(90_000);
                normal.disconnect();
                normal.close();
                Collections.sort(rtt);
                System.out.printf("flood: %d connections opened (%d could not connect); normal client"
                        + " round trip p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", opened.get(), refused.get(),
                        rtt.get(rtt.size() / 2), rtt.get(rtt.size() * 99 / 100), rtt.get(rtt.size() - 1));
            }

            MqttClient after = new MqttClient("tcp://127.0.0.1:" + port, "after", new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setConnectionTimeout(30);
            after.connect(o);
            after.publish("after", new byte[] { 1 }, 1, false);
            after.disconnect();
            after.close();
            assertThat(gw.log()).as("peer errors are lines, not stack traces").doesNotContain("\tat ");
            gw.saveLog("flood");
        }
    }
}
