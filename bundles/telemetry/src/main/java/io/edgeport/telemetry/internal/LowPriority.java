package io.edgeport.telemetry.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the CPU priority of the calling thread (Linux: its nice value, through {@code renice} on the thread's own id
 * from {@code /proc/thread-self}; lowering needs no privilege). Java thread priorities are ignored on Linux, and a
 * sink's database work costs far more CPU per message than the broker's routing: on a busy 2-core appliance a sink at
 * the broker's priority takes the CPU the devices' publishes need. At a lower priority it uses what the broker leaves
 * and catches up when the devices are quiet; the message store keeps what it has not stored yet.
 */
final class LowPriority {

    private static final Logger LOG = LoggerFactory.getLogger(LowPriority.class);

    private LowPriority() {
    }

    /**
     * @param nice 1..19 (higher = lower priority); 0 or less does nothing
     * @return whether the priority was lowered
     */
    static boolean apply(int nice) {
        if (nice <= 0) {
            return false;
        }
        String tid;
        try {
            tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            LOG.debug("No /proc/thread-self (not Linux?): {} keeps its priority", Thread.currentThread().getName());
            return false;
        }
        try {
            Process p = new ProcessBuilder("renice", "-n", Integer.toString(Math.min(19, nice)), "-p", tid)
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return true;
            }
            LOG.info("Could not lower the CPU priority of {} (renice: {})", Thread.currentThread().getName(), out);
        } catch (IOException e) {
            LOG.info("Could not lower the CPU priority of {} ({})", Thread.currentThread().getName(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /** The calling thread's nice value (Linux), or 0 when it cannot be read. For tests. */
    static int current() {
        try {
            String stat = Files.readString(Path.of("/proc/thread-self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(f[16]); // field 19 of stat: nice
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
