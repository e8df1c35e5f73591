package io.edgeport.blackbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** The real clients users have: Paho Java and mosquitto_pub/mosquitto_sub (Debian mosquitto-clients). */
final class Clients {

    private Clients() {
    }

    static MqttClient paho(String uri, String id, boolean clean) throws MqttException {
        MqttClient c = new MqttClient(uri, id, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(clean);
        o.setAutomaticReconnect(false);
        o.setMaxInflight(1000);
        o.setConnectionTimeout(10);
        c.connect(o);
        return c;
    }

    static void close(MqttClient c) {
        if (c == null) {
            return;
        }
        try {
            if (c.isConnected()) {
                c.disconnect(1000);
            }
            c.close(true);
        } catch (MqttException e) {
            // gone already
        }
    }

    record Result(int exitCode, List<String> lines, String stderr) {
    }

    /** Runs a command line tool, bounded in time, and returns its output lines. */
    static Result run(long timeoutSeconds, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).start();
        boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly().waitFor();
        }
        String out = readQuietly(p.getInputStream());
        String err = readQuietly(p.getErrorStream());
        List<String> lines = new ArrayList<>();
        for (String l : out.split("\n")) {
            if (!l.isEmpty()) {
                lines.add(l);
            }
        }
        return new Result(done ? p.exitValue() : -1, lines, err);
    }

    private static String readQuietly(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return ""; // a killed process's pipe may be closed already
        }
    }

    /** Starts mosquitto_sub in the background; the caller reads it after it ends (-C count or -W timeout). */
    static Process sub(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("mosquitto_sub"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).start();
    }

    /** An MQTT 3.1.1 CONNECT packet with a Last Will (clean session, keepalive 60 s), written by hand. */
    static byte[] connectWithWill(String clientId, String willTopic, String willMessage, int willQos) {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        writeString(body, "MQTT");
        body.write(4); // protocol level 3.1.1
        body.write(0x02 | 0x04 | (willQos << 3)); // clean session, will flag, will QoS
        body.write(0);
        body.write(60);
        writeString(body, clientId);
        writeString(body, willTopic);
        writeString(body, willMessage);
        byte[] b = body.toByteArray();
        java.io.ByteArrayOutputStream packet = new java.io.ByteArrayOutputStream();
        packet.write(0x10);
        int len = b.length;
        do {
            int digit = len % 128;
            len /= 128;
            packet.write(len > 0 ? digit | 0x80 : digit);
        } while (len > 0);
        packet.writeBytes(b);
        return packet.toByteArray();
    }

    private static void writeString(java.io.ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >> 8);
        out.write(b.length & 0xff);
        out.writeBytes(b);
    }

    /** Reads a running process's output until a line contains {@code text}; bounded in time. */
    static boolean awaitLine(Process p, String text, long timeoutSeconds) throws InterruptedException {
        java.util.concurrent.CountDownLatch seen = new java.util.concurrent.CountDownLatch(1);
        Thread t = new Thread(() -> {
            try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(
                    p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.contains(text)) {
                        seen.countDown();
                    }
                }
            } catch (IOException e) {
                // process ended
            }
        }, "await-line");
        t.setDaemon(true);
        t.start();
        return seen.await(timeoutSeconds, TimeUnit.SECONDS);
    }

    static List<String> lines(Process p, long timeoutSeconds) throws IOException, InterruptedException {
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>();
        for (String l : out.split("\n")) {
            if (!l.isEmpty()) {
                lines.add(l);
            }
        }
        return lines;
    }
}
