package io.edgeport.blackbox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import io.edgeport.testsupport.MqttFuzzer;

/**
 * Issue 13's long fuzz run: the exported gateway against {@code threads} seeded fuzzers until about {@code packets}
 * mutated MQTT packets were sent (3 per connection on average). Prints connections/s, the gateway's log growth and its
 * RSS before, right after and 30 s after. Not a test: {@code bench/fuzz.sh}.
 *
 * <p>Arguments: {@code [packets=1000000] [threads=4]}.
 */
public final class FuzzBenchmark {

    public static void main(String[] args) throws Exception {
        long packets = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        long connections = packets / 3;
        Path dir = Files.createTempDirectory(Path.of("target"), "fuzz-bench");
        try (Gateway gw = new Gateway(dir).start()) {
            Thread.sleep(3_000); // benchmark pacing: the gateway settles after the start
            long heap0 = heapAfterGcKb(gw.pid());
            long rss0 = FuzzTest.rssKb(gw.pid());
            int log0 = gw.log().length();
            MqttFuzzer.drainMillis(10);
            AtomicLong done = new AtomicLong();
            AtomicLong bytes = new AtomicLong();
            long t0 = System.nanoTime();
            List<Thread> all = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Random r = new Random(FuzzTest.SEED + i);
                Thread t = new Thread(() -> {
                    try {
                        while (done.addAndGet(200) <= connections) {
                            bytes.addAndGet(MqttFuzzer.fuzz(gw.mqttPort, 200, r));
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                t.start();
                all.add(t);
            }
            for (Thread t : all) {
                t.join();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            long rss1 = FuzzTest.rssKb(gw.pid());
            Thread.sleep(30_000); // benchmark pacing: RSS after 30 s of rest
            long rss2 = FuzzTest.rssKb(gw.pid());
            long heap2 = heapAfterGcKb(gw.pid());
            String log = gw.log().substring(log0);
            System.out.printf("fuzz: %d connections (~%d packets, %d MB) in %.0f s = %.0f connections/s; gateway log"
                    + " +%d bytes in %d lines, %d stack-trace lines; RSS %d MB before, %d MB right after, %d MB 30 s"
                    + " later; heap after a full GC %d MB before, %d MB after%n", connections, connections * 3,
                    bytes.get() >> 20, secs, connections / secs, log.length(), log.lines().count(),
                    log.lines().filter(l -> l.startsWith("\tat ")).count(), rss0 / 1024, rss1 / 1024, rss2 / 1024,
                    heap0 / 1024, heap2 / 1024);
            gw.saveLog("fuzz-bench");
        }
    }

    /** Heap in use after a full GC, from {@code jcmd} (KB). */
    static long heapAfterGcKb(long pid) throws Exception {
        run("jcmd", Long.toString(pid), "GC.run");
        String info = run("jcmd", Long.toString(pid), "GC.heap_info");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("used (\\d+)K").matcher(info);
        long used = 0;
        while (m.find()) {
            used += Long.parseLong(m.group(1)); // SerialGC: def new generation + tenured generation (+ Metaspace)
            if (info.indexOf("Metaspace") < m.start()) {
                used -= Long.parseLong(m.group(1)); // not heap
            }
        }
        return used;
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
