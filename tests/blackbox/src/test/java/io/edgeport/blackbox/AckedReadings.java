package io.edgeport.blackbox;

import java.util.BitSet;

/**
 * Per-device sets of acknowledged reading numbers, as the outage tests keep them (one BitSet per device, guarded by
 * itself): how many so far, and whether every device got at least so many more (the tests' way to let an outage last
 * "a number of readings" instead of a time).
 */
final class AckedReadings {

    private AckedReadings() {
    }

    /** Readings acknowledged so far, per device. */
    static int[] acknowledged(BitSet[] acked) {
        int[] out = new int[acked.length];
        for (int d = 0; d < acked.length; d++) {
            synchronized (acked[d]) {
                out[d] = acked[d].cardinality();
            }
        }
        return out;
    }

    /** Whether every device had at least {@code more} readings acknowledged since {@code since}. */
    static boolean eachAtLeast(BitSet[] acked, int[] since, int more) {
        int[] now = acknowledged(acked);
        for (int d = 0; d < now.length; d++) {
            if (now[d] < since[d] + more) {
                return false;
            }
        }
        return true;
    }
}
