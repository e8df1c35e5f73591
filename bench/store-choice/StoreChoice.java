import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * The measurement behind the broker store's design (docs/store.md): N queue operations (a 120-byte message put, and
 * the one 1,000 behind it removed, as a queue drained by a subscriber), made durable every B operations, either by
 * committing H2's MVStore (Moquette's store) or by appending checksummed records to a log file. Prints operations per
 * second, commits per second and the MVStore file size. Run twice per setting (the first is partly JIT warm-up).
 *
 * usage: java -cp h2-mvstore.jar StoreChoice.java DIR N B [fsync]
 */
public class StoreChoice {
    public static void main(String[] a) throws Exception {
        Path dir = Path.of(a[0]);
        int n = Integer.parseInt(a[1]);
        int batch = Integer.parseInt(a[2]);
        boolean fsync = a.length > 3 && a[3].equals("fsync");
        byte[] payload = new byte[120];
        Files.createDirectories(dir);
        for (int round = 1; round <= 2; round++) {
            Path f = dir.resolve("mv.db");
            Files.deleteIfExists(f);
            MVStore s = new MVStore.Builder().fileName(f.toString()).autoCommitDisabled().open();
            MVMap<Long, byte[]> q = s.openMap("q");
            long t0 = System.nanoTime();
            long commits = 0;
            for (long i = 0; i < n; i++) {
                q.put(i, payload);
                if (i >= 1000) {
                    q.remove(i - 1000);
                }
                if (i % batch == batch - 1) {
                    s.commit();
                    if (fsync) {
                        s.sync();
                    }
                    commits++;
                }
            }
            double sec = (System.nanoTime() - t0) / 1e9;
            System.out.printf("round %d  mvstore  batch %5d %s: %,10.0f ops/s %,9.0f commits/s  file %,d KB%n", round,
                    batch, fsync ? "fsync" : "write", n / sec, commits / sec, Files.size(f) / 1024);
            s.close();

            Path g = dir.resolve("log");
            Files.deleteIfExists(g);
            try (FileChannel ch = FileChannel.open(g, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.allocate(1 << 20);
                CRC32C crc = new CRC32C();
                t0 = System.nanoTime();
                commits = 0;
                for (long i = 0; i < n; i++) {
                    crc.reset();
                    crc.update(payload);
                    buf.putInt(payload.length).putInt((int) crc.getValue()).putLong(i).put(payload);
                    if (i >= 1000) {
                        buf.putInt(8).putInt(0).putLong(i - 1000); // the remove record
                    }
                    if (i % batch == batch - 1 || buf.remaining() < 512) {
                        buf.flip();
                        while (buf.hasRemaining()) {
                            ch.write(buf);
                        }
                        buf.clear();
                        if (fsync) {
                            ch.force(false);
                        }
                        commits++;
                    }
                }
                sec = (System.nanoTime() - t0) / 1e9;
                System.out.printf("round %d  log      batch %5d %s: %,10.0f ops/s %,9.0f commits/s  file %,d KB%n",
                        round, batch, fsync ? "fsync" : "write", n / sec, commits / sec, ch.size() / 1024);
            }
        }
    }
}
