package io.edgeport.simulator.internal;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

import io.edgeport.testsupport.MosquittoBroker;

/**
 * Scale measurement, not a test: N devices at one reading per second each against a Mosquitto on a free port,
 * printing every 10 s the connected devices, acknowledged readings per second, JVM threads, process RSS and
 * process CPU (% of one core). Run from bundles/simulator after {@code mvn test-compile}:
 *
 * <pre>
 * mvn -q -o -Dmaven.repo.local=/work/m2-sim dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.edgeport.simulator.internal.FleetScale 1000 60
 * </pre>
 */
public final class FleetScale {

    private FleetScale() {
    }

    public static void main(String[] args) throws Exception {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int qos = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        Path dir = Files.createTempDirectory("fleet-scale");
        try (MosquittoBroker broker = new MosquittoBroker(dir, FleetMosquittoTest.MOSQUITTO_CONF)) {
            FleetSettings s = Configs.settings("broker.url", broker.uri(), "name", "scale", "devices", devices,
                    "interval.ms", 1000L, "qos", qos);
            Fleet fleet = new Fleet(s, broker.uri(), new Sequences()::of, Clock.systemUTC());
            long t0 = System.nanoTime();
            fleet.start();
            System.out.printf("fleet of %d devices, QoS %d, 1 reading/s each, %d s, broker pid %d%n", devices, qos,
                    seconds, broker.pid());
            long allConnectedAt = -1;
            long lastPublished = 0;
            long lastCpu = cpuNanos();
            long lastWall = System.nanoTime();
            long lastBrokerCpu = brokerTicks(broker.pid());
            for (int t = 1; t <= seconds; t++) {
                Thread.sleep(1000); // load tool pacing: one sample of the fleet per second, not a test wait
                FleetStats st = fleet.stats();
                if (allConnectedAt < 0 && st.connected() == devices) {
                    allConnectedAt = System.nanoTime() - t0;
                    System.out.printf("all %d connected after %.1f s%n", devices, allConnectedAt / 1e9);
                }
                if (t % 10 == 0 || t == seconds) {
                    long now = System.nanoTime();
                    long cpu = cpuNanos();
                    long brokerCpu = brokerTicks(broker.pid());
                    double wall = (now - lastWall) / 1e9;
                    System.out.printf("t=%3ds connected %d/%d, readings/s %.0f, skipped %d, failed %d, threads %d,"
                            + " RSS %d MB, JVM CPU %.0f%%, mosquitto CPU %.0f%%%n", t, st.connected(), devices,
                            (st.published() - lastPublished) / wall, st.skipped(), st.failed(),
                            ManagementFactory.getThreadMXBean().getThreadCount(), rssKb() / 1024,
                            (cpu - lastCpu) / 1e9 / wall * 100, (brokerCpu - lastBrokerCpu) / 100.0 / wall * 100);
                    lastPublished = st.published();
                    lastCpu = cpu;
                    lastWall = now;
                    lastBrokerCpu = brokerCpu;
                }
            }
            long stop0 = System.nanoTime();
            fleet.stop(10_000);
            System.out.printf("clean stop of %d devices took %.1f s; last error: %s%n", devices,
                    (System.nanoTime() - stop0) / 1e9, fleet.stats().lastError());
        }
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long rssKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** utime + stime of a process in clock ticks (100 per second on Linux). */
    private static long brokerTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
