package io.edgeport.bench.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and memory of a process from Linux /proc ({@code stat} fields utime + stime, {@code status} VmRSS and
 * VmHWM). CPU is in clock ticks of 10 ms (USER_HZ is 100 on Linux). Returns -1 when the process is gone.
 */
final class ProcStat {

    static final double TICK_SECONDS = 0.01;

    private ProcStat() {
    }

    static long cpuTicks(String pid) {
        try {
            String s = Files.readString(Path.of("/proc", pid, "stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A line of /proc/PID/status in kB, e.g. "VmRSS". */
    static long statusKb(String pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(line.substring(key.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }
}
