package io.edgeport.bench.loadgen;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.mqtt.MqttEncoder;

/**
 * The benchmark's load generator: runs one scenario against one broker and prints a human summary and one
 * machine-readable {@code RESULT key=value ...} line (bench/run.sh collects those). Exit code 0 when the scenario
 * ran (losses are results, not errors), 2 on bad options, 1 when clients could not connect.
 */
public final class LoadGen {

    private final Options o;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final String brokerPid;
    private final Map<String, Object> result = new LinkedHashMap<>();
    private final String run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);

    private LoadGen(Options o) {
        this.o = o;
        this.brokerPid = o.str("broker-pid");
        this.group = new NioEventLoopGroup(o.integer("threads", 1));
        this.bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024));
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = new Options(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        LoadGen g = new LoadGen(o);
        int rc;
        try {
            rc = g.run();
        } finally {
            g.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
        System.exit(rc);
    }

    private int run() throws Exception {
        String scenario = o.str("scenario");
        result.put("scenario", scenario);
        result.put("broker", o.str("label"));
        switch (scenario) {
            case "fanin" -> {
                return messages(o.integer("publishers", 8), 1, o.integer("qos", 0), o.number("rate", 0));
            }
            case "fanout" -> {
                return messages(1, o.integer("subscribers", 50), o.integer("qos", 0), o.number("rate", 0));
            }
            case "latency" -> {
                return messages(1, 1, o.integer("qos", 1), o.number("rate", 2000));
            }
            case "connections" -> {
                return connections(o.integer("connections", 5000), o.integer("concurrency", 64));
            }
            default -> {
                System.err.println("unknown scenario '" + scenario + "'\n" + Options.USAGE);
                return 2;
            }
        }
    }

    private <C extends Client> C open(C client) {
        bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(MqttEncoder.INSTANCE, client);
            }
        }).connect(o.str("host"), o.integer("port", 1883)).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                client.ready.completeExceptionally(f.cause());
            }
        });
        return client;
    }

    private int messages(int publishers, int subscribers, int qos, double rate) throws Exception {
        int size = o.integer("size", 128);
        String prefix = o.str("topic-prefix");
        double warmup = o.number("warmup", 5), duration = o.number("duration", 10), drain = o.number("drain", 5);
        result.put("publishers", publishers);
        result.put("subscribers", subscribers);
        result.put("qos", qos);
        result.put("rate", rate);
        List<Subscriber> subs = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            Subscriber sub = new Subscriber("lg-" + run + "-s" + i, prefix + "/#", qos);
            sub.cleanSession = !Boolean.parseBoolean(o.str("persistent"));
            subs.add(open(sub));
        }
        if (!await(subs)) {
            return 1;
        }
        List<Publisher> pubs = new ArrayList<>();
        for (int i = 0; i < publishers; i++) {
            String topic = String.format("%s/bench/temperature/p%05d/reading", prefix, i);
            pubs.add(open(new Publisher("lg-" + run + "-p" + i, i, topic, qos, o.integer("window", 64),
                    rate / publishers, size)));
        }
        if (!await(pubs)) {
            return 1;
        }
        Thread.sleep(200); // let the broker finish installing the subscriptions
        List<Client> all = new ArrayList<>(subs);
        all.addAll(pubs);
        onLoops(pubs, Publisher::start);
        sleep(warmup);
        long[] sent0 = new long[1], recv0 = new long[1];
        long t0 = System.nanoTime();
        onLoops(all, c -> {
            if (c instanceof Publisher p) {
                sent0[0] += p.sent;
            } else if (c instanceof Subscriber s) {
                recv0[0] += s.received;
                s.latencyFrom = t0;
            }
        });
        long selfCpu0 = ProcStat.cpuTicks("self"), brokerCpu0 = brokerPid.isEmpty() ? -1 : ProcStat.cpuTicks(brokerPid);
        sleep(duration);
        long[] sent1 = new long[1], recv1 = new long[1];
        long t1 = System.nanoTime();
        onLoops(all, c -> {
            if (c instanceof Publisher p) {
                sent1[0] += p.sent;
            } else if (c instanceof Subscriber s) {
                recv1[0] += s.received;
                s.latencyTo = t1;
            }
        });
        double secs = (System.nanoTime() - t0) / 1e9;
        long selfCpu1 = ProcStat.cpuTicks("self"), brokerCpu1 = brokerPid.isEmpty() ? -1 : ProcStat.cpuTicks(brokerPid);
        long rss = brokerPid.isEmpty() ? -1 : ProcStat.statusKb(brokerPid, "VmRSS");
        onLoops(pubs, Publisher::stop);
        // Drain: until every subscriber has had every message (QoS 1) or nothing has arrived for a second (QoS 0,
        // or a QoS 1 broker that stopped delivering), with no QoS 1 message still in flight; at most --drain s.
        long expectedTotal = -1, deadline = System.nanoTime() + (long) (drain * 1e9), last = -1,
                quietSince = System.nanoTime();
        boolean drained = false;
        while (System.nanoTime() < deadline) {
            Thread.sleep(100);
            long[] now = new long[3];
            onLoops(all, c -> {
                if (c instanceof Subscriber s) {
                    now[0] += s.received;
                } else if (c instanceof Publisher p) {
                    now[1] += p.inflight();
                    now[2] += p.sent;
                }
            });
            expectedTotal = now[2] * subscribers;
            if (now[0] != last) {
                last = now[0];
                quietSince = System.nanoTime();
            }
            boolean complete = now[0] >= expectedTotal;
            boolean quiet = System.nanoTime() - quietSince > (qos == 0 ? 1_000_000_000L : 6_000_000_000L);
            if (now[1] == 0 && (complete || quiet)) {
                drained = true;
                break;
            }
        }
        // false: messages were still arriving when the drain time was up, so "lost" includes a backlog.
        result.put("drained", drained);
        result.put("drain_s", fmt(drain - Math.max(0, deadline - System.nanoTime()) / 1e9));
        onLoops(all, c -> c.channel.close()); // fail()s nothing that matters any more; everything is read below
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS); // happens-before for the reads

        long sent = 0, acked = 0, stray = 0, expected = 0, delivered = 0, dups = 0, reordered = 0, ackedLost = 0,
                foreign = 0, received = 0;
        for (Publisher p : pubs) {
            sent += p.sent;
            acked += p.acked;
            stray += p.strayAcks;
        }
        long[] lat = new long[0];
        for (Subscriber s : subs) {
            received += s.received;
            foreign += s.foreign;
            for (Publisher p : pubs) {
                expected += p.sent;
                Subscriber.Track t = s.trackOrNull(p.id);
                BitSet seen = t == null ? new BitSet() : t.seen;
                delivered += seen.cardinality();
                if (t != null) {
                    dups += t.duplicates;
                    reordered += t.reordered;
                }
                BitSet lost = (BitSet) p.ackedSeqs.clone();
                lost.andNot(seen);
                ackedLost += lost.cardinality();
            }
            int n = lat.length;
            lat = Arrays.copyOf(lat, n + s.latencyCount);
            System.arraycopy(s.latencies, 0, lat, n, s.latencyCount);
        }
        Arrays.sort(lat);
        result.put("pub_rate", Math.round((sent1[0] - sent0[0]) / secs));
        result.put("deliv_rate", Math.round((recv1[0] - recv0[0]) / secs));
        result.put("sent", sent);
        result.put("acked", acked);
        result.put("expected", expected);
        result.put("delivered", delivered);
        result.put("lost", expected - delivered);
        result.put("lost_pct", fmt(expected == 0 ? 0 : 100.0 * (expected - delivered) / expected));
        result.put("dup", dups);
        result.put("reordered", reordered);
        result.put("acked_lost", ackedLost);
        result.put("stray_acks", stray);
        result.put("foreign", foreign);
        result.put("lat_n", lat.length);
        result.put("lat_p50_ms", lat.length == 0 ? "-" : fmt(pct(lat, 0.50) / 1e6));
        result.put("lat_p99_ms", lat.length == 0 ? "-" : fmt(pct(lat, 0.99) / 1e6));
        result.put("lat_max_ms", lat.length == 0 ? "-" : fmt(lat[lat.length - 1] / 1e6));
        cpu(selfCpu0, selfCpu1, brokerCpu0, brokerCpu1, secs);
        result.put("broker_rss_mb", rss < 0 ? "-" : fmt(rss / 1024.0));
        report();
        return 0;
    }

    private int connections(int n, int concurrency) throws Exception {
        result.put("connections", n);
        // Not measured: the first connections of a fresh JVM (ours and a Java broker's) run interpreted code.
        Batch warm = connectMany(o.integer("warmup-connections", 1000), concurrency, "w");
        onLoops(warm.clients, c -> c.channel.close());
        Thread.sleep(500);
        long selfCpu0 = ProcStat.cpuTicks("self"), brokerCpu0 = brokerPid.isEmpty() ? -1 : ProcStat.cpuTicks(brokerPid);
        Batch b = connectMany(n, concurrency, "c");
        long selfCpu1 = ProcStat.cpuTicks("self"), brokerCpu1 = brokerPid.isEmpty() ? -1 : ProcStat.cpuTicks(brokerPid);
        sleep(o.number("hold", 3));
        long rss = brokerPid.isEmpty() ? -1 : ProcStat.statusKb(brokerPid, "VmRSS");
        long[] stillOpen = new long[1];
        onLoops(b.clients, c -> {
            if (c.channel.isActive()) {
                stillOpen[0]++;
            }
        });
        result.put("connected", b.ok);
        result.put("failed", n - b.ok);
        result.put("still_open", stillOpen[0]);
        result.put("conn_rate", Math.round(b.ok / b.seconds));
        cpu(selfCpu0, selfCpu1, brokerCpu0, brokerCpu1, b.seconds);
        result.put("broker_rss_mb", rss < 0 ? "-" : fmt(rss / 1024.0));
        onLoops(b.clients, c -> c.channel.close());
        report();
        return b.ok == 0 ? 1 : 0;
    }

    private record Batch(List<Client> clients, int ok, double seconds) {
    }

    /** Opens n connections (CONNECT/CONNACK), at most {@code concurrency} handshakes at a time. */
    private Batch connectMany(int n, int concurrency, String tag) throws Exception {
        Semaphore slots = new Semaphore(concurrency);
        CountDownLatch done = new CountDownLatch(n);
        AtomicInteger ok = new AtomicInteger();
        List<Client> clients = new ArrayList<>(n);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            slots.acquire();
            Client c = open(new Client("lg-" + run + "-" + tag + i) {
            });
            clients.add(c);
            c.ready.whenComplete((v, e) -> {
                if (e == null) {
                    ok.incrementAndGet();
                }
                slots.release();
                done.countDown();
            });
        }
        done.await(120, TimeUnit.SECONDS);
        double secs = (System.nanoTime() - t0) / 1e9;
        clients.removeIf(c -> c.channel == null);
        return new Batch(clients, ok.get(), secs);
    }

    private void cpu(long self0, long self1, long broker0, long broker1, double secs) {
        result.put("gen_cpu_pct", fmt(100.0 * (self1 - self0) * ProcStat.TICK_SECONDS / secs));
        result.put("broker_cpu_pct", broker0 < 0 || broker1 < 0 ? "-"
                : fmt(100.0 * (broker1 - broker0) * ProcStat.TICK_SECONDS / secs));
    }

    private boolean await(List<? extends Client> clients) {
        try {
            CompletableFuture.allOf(clients.stream().map(c -> c.ready).toArray(CompletableFuture[]::new))
                    .get(20, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            System.err.println("clients could not connect to " + o.str("host") + ":" + o.str("port") + ": " + cause);
            result.put("error", "connect");
            report();
            return false;
        }
    }

    /** Runs the action for each client on its event loop and waits for all of them. */
    private static <C extends Client> void onLoops(List<C> clients, java.util.function.Consumer<? super C> action)
            throws Exception {
        List<io.netty.util.concurrent.Future<?>> fs = new ArrayList<>();
        for (C c : clients) {
            if (c.channel != null) {
                fs.add(c.channel.eventLoop().submit(() -> action.accept(c)));
            }
        }
        for (io.netty.util.concurrent.Future<?> f : fs) {
            f.await(10, TimeUnit.SECONDS);
        }
    }

    private static double pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 1 ? "%.2f" : "%.4f", v);
    }

    private static void sleep(double seconds) throws InterruptedException {
        Thread.sleep((long) (seconds * 1000));
    }

    private void report() {
        StringBuilder line = new StringBuilder("RESULT");
        result.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
        System.out.println(line);
    }

}
