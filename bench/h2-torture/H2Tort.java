import java.io.*; import java.sql.*; import java.util.*; import java.util.concurrent.TimeUnit;
/**
 * Whether H2 keeps what it committed when the process is killed (SIGKILL) right after commits: a child inserts
 * batches of 500 rows and prints each committed count, with an optional second connection reading all the time
 * (READER=1), an optional statement after each commit (CP=CHECKPOINT) and URL settings (URLX=";REUSE_SPACE=FALSE");
 * the parent kills it after a random 1.2-3.2 s and counts the rows. Measured 2026-12-04 with H2 2.5.252 (20 kills
 * each): WRITE_DELAY=0 alone lost rows in 3 of 15; + CHECKPOINT 0 of 15, but with a reader 3 of 20 (CHECKPOINT SYNC
 * 1 of 20); + REUSE_SPACE=FALSE 0 of 20. Run: bench/h2-torture.sh [kills]
 */
public class H2Tort {
  public static void main(String[] a) throws Exception {
    String url = "jdbc:h2:file:target/h2-torture/db" + (System.getenv("URLX") == null ? "" : System.getenv("URLX"));
    Properties p = new Properties(); p.setProperty("WRITE_DELAY", "0");
    if (a[0].equals("child")) {
      Connection c = new org.h2.Driver().connect(url, p); c.setAutoCommit(false);
      c.createStatement().execute("create table if not exists t(i bigint primary key, pad varchar)"); c.commit();
      ResultSet r = c.createStatement().executeQuery("select coalesce(max(i),0) from t"); r.next(); long n = r.getLong(1);
      PreparedStatement ps = c.prepareStatement("insert into t values(?, ?)");
      if (System.getenv("READER") != null) { Thread rd = new Thread(() -> { try { Connection rc = new org.h2.Driver().connect(url, p); while (true) { ResultSet x = rc.createStatement().executeQuery("select count(*) from t where i > 0"); x.next(); } } catch (Exception e) { e.printStackTrace(); } }); rd.setDaemon(true); rd.start(); }
      String pad = "x".repeat(100);
      while (true) { for (int i = 0; i < 500; i++) { ps.setLong(1, ++n); ps.setString(2, pad); ps.addBatch(); } ps.executeBatch(); c.commit(); if (System.getenv("CP") != null) c.createStatement().execute(System.getenv("CP")); System.out.println("committed " + n); }
    }
    int kills = Integer.parseInt(a[0]); Random rnd = new Random(); long committed = 0; int fail = 0;
    for (int k = 1; k <= kills; k++) {
      Process pr = new ProcessBuilder("java", "-cp", System.getProperty("java.class.path"), "H2Tort", "child").redirectErrorStream(true).start();
      BufferedReader r = new BufferedReader(new InputStreamReader(pr.getInputStream()));
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1200 + rnd.nextInt(2000)); String line;
      while (System.nanoTime() < deadline && (line = r.readLine()) != null) { if (line.startsWith("committed ")) committed = Long.parseLong(line.substring(10)); else System.out.println(line); }
      pr.destroyForcibly().waitFor();
      Connection c = new org.h2.Driver().connect(url, p);
      ResultSet rs = c.createStatement().executeQuery("select count(*), coalesce(max(i),0) from t"); rs.next();
      long count = rs.getLong(1), max = rs.getLong(2); c.close();
      boolean ok = count >= committed; if (!ok) fail++;
      System.out.printf("kill %d: committed %d, rows %d (max %d)%s%n", k, committed, count, max, ok ? "" : "  LOST " + (committed - count));
      committed = Math.max(committed, max);
    }
    System.out.println("failures " + fail);
  }
}
