package io.edgeport.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded mutation fuzzer for MQTT 3.1.1 brokers: each connection sends 1-5 packets (mostly starting with a valid
 * CONNECT) with bytes flipped, inserted or cut, the remaining length set to its maximum, or the first byte replaced,
 * then reads what the broker answers until it closes or is quiet. Talks to 127.0.0.1 only.
 */
public final class MqttFuzzer {

    /** How long a connection waits for more from the broker before it closes itself. */
    private static int drainMillis = 50;

    private MqttFuzzer() {
    }

    /** @param millis how long each connection waits for the broker's answer (default 50) */
    public static void drainMillis(int millis) {
        drainMillis = millis;
    }

    /** @return bytes sent */
    public static long fuzz(int port, int connections, Random r) throws IOException {
        List<byte[]> valid = validPackets();
        long bytes = 0;
        for (int i = 0; i < connections; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(drainMillis);
                int n = 1 + r.nextInt(5);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                for (int k = 0; k < n; k++) {
                    byte[] p = k == 0 && r.nextInt(4) > 0 ? valid.get(0) : valid.get(r.nextInt(valid.size()));
                    out.writeBytes(mutate(p, r));
                }
                byte[] all = out.toByteArray();
                try {
                    s.getOutputStream().write(all);
                    s.getOutputStream().flush();
                    bytes += all.length;
                    drain(s.getInputStream());
                } catch (IOException closedByTheBroker) {
                    // expected for most
                }
            }
        }
        return bytes;
    }

    private static void drain(InputStream in) {
        byte[] b = new byte[4096];
        try {
            while (in.read(b) >= 0) {
                // read what the broker answers until it closes or is quiet
            }
        } catch (IOException quiet) {
            // timed out or reset
        }
    }

    public static byte[] mutate(byte[] p, Random r) {
        byte[] m = p.clone();
        switch (r.nextInt(6)) {
            case 0 -> { // flip bytes
                for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
                    m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> { // insert bytes
                int at = r.nextInt(m.length + 1);
                byte[] ins = new byte[1 + r.nextInt(8)];
                r.nextBytes(ins);
                byte[] out = new byte[m.length + ins.length];
                System.arraycopy(m, 0, out, 0, at);
                System.arraycopy(ins, 0, out, at, ins.length);
                System.arraycopy(m, at, out, at + ins.length, m.length - at);
                m = out;
            }
            case 2 -> m = java.util.Arrays.copyOf(m, r.nextInt(m.length)); // cut
            case 3 -> { // remaining length at its maximum
                byte[] out = new byte[m.length + 3];
                out[0] = m[0];
                out[1] = (byte) 0xFF;
                out[2] = (byte) 0xFF;
                out[3] = (byte) 0xFF;
                out[4] = 0x7F;
                System.arraycopy(m, 2, out, 5, m.length - 2);
                m = out;
            }
            case 4 -> m[0] = (byte) r.nextInt(256); // any packet type and flags
            default -> {
                // unchanged: valid packets in an order that may not be
            }
        }
        return m;
    }

    /** Valid MQTT 3.1.1 packets; the first is a CONNECT. */
    public static List<byte[]> validPackets() {
        List<byte[]> v = new ArrayList<>();
        v.add(new byte[] { 0x10, 0x10, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 4, 'f', 'u', 'z', 'z' });
        v.add(new byte[] { 0x30, 0x09, 0, 3, 'a', '/', 'b', 'h', 'e', 'y', '!' }); // PUBLISH QoS 0
        v.add(new byte[] { 0x32, 0x0b, 0, 3, 'a', '/', 'b', 0, 7, 'h', 'e', 'y', '!' }); // QoS 1
        v.add(new byte[] { 0x34, 0x0b, 0, 3, 'a', '/', 'b', 0, 8, 'h', 'e', 'y', '!' }); // QoS 2
        v.add(new byte[] { (byte) 0x82, 0x08, 0, 1, 0, 3, 'a', '/', '#', 1 }); // SUBSCRIBE
        v.add(new byte[] { (byte) 0xA2, 0x07, 0, 2, 0, 3, 'a', '/', '#' }); // UNSUBSCRIBE
        v.add(new byte[] { 0x40, 0x02, 0, 7 }); // PUBACK
        v.add(new byte[] { 0x62, 0x02, 0, 8 }); // PUBREL
        v.add(new byte[] { (byte) 0xC0, 0x00 }); // PINGREQ
        v.add(new byte[] { (byte) 0xE0, 0x00 }); // DISCONNECT
        return v;
    }
}
