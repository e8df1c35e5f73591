package io.edgeport.auth.acl.internal;

import java.io.StringReader;
import java.util.Random;

import io.edgeport.api.auth.Action;
import io.edgeport.api.auth.Decision;

/**
 * Micro-benchmark, not a test: evaluations per second against 1,000 rules (300 users × 3 topic lines + 100
 * patterns). Run with {@code java -cp target/classes:target/test-classes:<api jar>
 * io.edgeport.auth.acl.internal.AclBenchmark}.
 */
public final class AclBenchmark {

    private AclBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        StringBuilder acl = new StringBuilder();
        for (int u = 0; u < 300; u++) {
            acl.append("user user").append(u).append('\n')
                    .append("topic deny sensors/+/user").append(u).append("/secret/#\n")
                    .append("topic write sensors/+/user").append(u).append("/#\n")
                    .append("topic read commands/user").append(u).append("/#\n");
        }
        for (int p = 0; p < 100; p++) {
            acl.append(p % 2 == 0 ? "pattern read " : "pattern write ").append("area").append(p)
                    .append(p % 3 == 0 ? "/%u/+/data" : "/%c/#").append('\n');
        }
        AclModel model = AclParser.parse(new StringReader(acl.toString()), "benchmark");
        System.out.println("rules: " + model.ruleCount());
        int n = 4096;
        String[] users = new String[n];
        String[] topics = new String[n];
        Action[] actions = new Action[n];
        Random r = new Random(1);
        for (int i = 0; i < n; i++) {
            int u = r.nextInt(300);
            users[i] = "user" + u;
            switch (r.nextInt(4)) {
                case 0 -> topics[i] = "sensors/site" + r.nextInt(10) + "/user" + u + "/temp";
                case 1 -> topics[i] = "commands/user" + r.nextInt(300) + "/reboot";
                case 2 -> topics[i] = "area" + r.nextInt(100) + "/user" + u + "/x/data";
                default -> topics[i] = "unrelated/topic/" + i;
            }
            actions[i] = r.nextBoolean() ? Action.PUBLISH : Action.RECEIVE;
        }
        for (int round = 0; round < 5; round++) {
            long allowed = 0;
            long count = 0;
            long start = System.nanoTime();
            long end = start + 1_000_000_000L;
            while (System.nanoTime() < end) {
                for (int i = 0; i < n; i++) {
                    if (AclEvaluator.evaluate(model, users[i], users[i], topics[i], actions[i]) == Decision.ALLOW) {
                        allowed++;
                    }
                }
                count += n;
            }
            double secs = (System.nanoTime() - start) / 1e9;
            System.out.printf("round %d: %,.0f evaluations/s (%d%% allowed)%n", round, count / secs,
                    allowed * 100 / count);
        }
    }
}
