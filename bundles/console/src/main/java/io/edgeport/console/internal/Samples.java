package io.edgeport.console.internal;

/**
 * The last {@code capacity} samples of the broker's counters, one every {@link #PERIOD_MS}: the dashboard's chart
 * history and its per-second rates. Thread-safe.
 */
final class Samples {

    static final long PERIOD_MS = 2_000;

    private final long[] time;
    private final long[] in;
    private final long[] out;
    private final long[] clients;
    private int next;
    private int size;

    Samples(int capacity) {
        time = new long[capacity];
        in = new long[capacity];
        out = new long[capacity];
        clients = new long[capacity];
    }

    synchronized void add(long t, long received, long sent, long connected) {
        time[next] = t;
        in[next] = received;
        out[next] = sent;
        clients[next] = connected;
        next = (next + 1) % time.length;
        size = Math.min(size + 1, time.length);
    }

    private int index(int i) { // i-th oldest
        return (next - size + i + time.length) % time.length;
    }

    /** @return messages in and out per second between the last two samples (0 before there are two, or after a restart) */
    synchronized double[] rates() {
        if (size < 2) {
            return new double[] { 0, 0 };
        }
        return rate(size - 1);
    }

    private double[] rate(int i) {
        int a = index(i - 1);
        int b = index(i);
        double dt = (time[b] - time[a]) / 1000.0;
        if (dt <= 0 || in[b] < in[a] || out[b] < out[a]) {
            return new double[] { 0, 0 }; // the broker restarted: its counters began again
        }
        return new double[] { (in[b] - in[a]) / dt, (out[b] - out[a]) / dt };
    }

    /** Writes {@code history}: [seconds since the epoch], [in/s], [out/s], [clients], oldest first. */
    synchronized void write(Json j) {
        StringBuilder t = new StringBuilder();
        StringBuilder ri = new StringBuilder();
        StringBuilder ro = new StringBuilder();
        StringBuilder c = new StringBuilder();
        for (int i = 1; i < size; i++) {
            double[] r = rate(i);
            String sep = i == 1 ? "" : ",";
            t.append(sep).append(time[index(i)] / 1000);
            ri.append(sep).append(Json.number(r[0]));
            ro.append(sep).append(Json.number(r[1]));
            c.append(sep).append(clients[index(i)]);
        }
        j.raw("history", "[[" + t + "],[" + ri + "],[" + ro + "],[" + c + "]]");
    }
}
