package io.edgeport.broker.engine.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The store log: what was flushed is read back in order, a torn tail (cut short, or a checksum that does not match) is
 * dropped and never read as a record, recovery starts at the checkpoint, and old segments go once a checkpoint covers
 * them.
 */
class WalTest {

    private final Path dir = Path.of("target", "wal-tests", Long.toString(System.nanoTime()));

    private static Wal.Body text(String s) {
        return o -> o.putString(s);
    }

    private List<String> reopen(long from) throws IOException {
        List<String> read = new ArrayList<>();
        Wal.open(dir, from, false, 1 << 20, (type, body) -> read.add(type + ":" + Wal.getString(body))).close();
        return read;
    }

    private Path lastSegment() throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".wal")).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

    @Test
    void flushedRecordsComeBackInOrderAfterACrash() throws IOException {
        Wal wal = Wal.open(dir, 0, false, 1 << 20, (t, b) -> { });
        for (int i = 0; i < 1000; i++) {
            wal.append((byte) (1 + i % 3), text("r" + i));
        }
        long end = wal.flush();
        assertThat(wal.durablePosition()).isEqualTo(end).isEqualTo(wal.appendedPosition());
        wal.append((byte) 1, text("never flushed"));
        wal.abandon(); // kill -9: the buffer is gone

        List<String> read = reopen(0);
        assertThat(read).hasSize(1000);
        assertThat(read.get(0)).isEqualTo("1:r0");
        assertThat(read.get(999)).isEqualTo("1:r999");
        assertThat(read).doesNotContain("1:never flushed");
    }

    @Test
    void aRecordCutShortIsDroppedAndTheLogGoesOnFromThere() throws IOException {
        Wal wal = Wal.open(dir, 0, false, 1 << 20, (t, b) -> { });
        wal.append((byte) 1, text("a"));
        wal.append((byte) 1, text("b"));
        long afterB = wal.flush();
        wal.append((byte) 1, text("c-is-long-enough-to-cut"));
        wal.flush();
        wal.close();
        Path seg = lastSegment();
        long size = Files.size(seg);
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.truncate(size - 5); // a partial write of the last record
        }

        assertThat(reopen(0)).containsExactly("1:a", "1:b");
        assertThat(Files.size(seg)).as("the torn tail is cut off").isEqualTo(afterB);

        Wal again = Wal.open(dir, 0, false, 1 << 20, (t, b) -> { });
        assertThat(again.appendedPosition()).isEqualTo(afterB);
        again.append((byte) 2, text("d"));
        again.close();
        assertThat(reopen(0)).containsExactly("1:a", "1:b", "2:d");
    }

    @Test
    void aRecordWithABadChecksumEndsTheLog() throws IOException {
        Wal wal = Wal.open(dir, 0, false, 1 << 20, (t, b) -> { });
        wal.append((byte) 1, text("a"));
        long afterA = wal.flush();
        wal.append((byte) 1, text("bbbbbbbb"));
        wal.append((byte) 1, text("c"));
        wal.close();
        Path seg = lastSegment();
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {'X'}), afterA + Wal.HEADER + 4 + 2); // a flipped byte in "bbbb…"
        }
        assertThat(reopen(0)).containsExactly("1:a");
    }

    @Test
    void garbageAfterTheLastRecordIsNeverReadAsARecord() throws IOException {
        Wal wal = Wal.open(dir, 0, false, 1 << 20, (t, b) -> { });
        wal.append((byte) 1, text("a"));
        wal.close();
        try (FileChannel ch = FileChannel.open(lastSegment(), StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer junk = ByteBuffer.allocate(64);
            junk.putInt(20).putInt(12345).put((byte) 1); // a plausible header with a wrong checksum
            junk.position(64).flip();
            ch.write(junk);
        }
        assertThat(reopen(0)).containsExactly("1:a");
    }

    @Test
    void recoveryStartsAtTheCheckpointAndOldSegmentsAreDeleted() throws IOException {
        Wal wal = Wal.open(dir, 0, false, 200, (t, b) -> { }); // tiny segments: one per flush of 200+ bytes
        long checkpoint = 0;
        for (int i = 0; i < 50; i++) {
            wal.append((byte) 1, text("record-" + i + "-padding-padding-padding-padding-padding-padding"));
            long end = wal.flush();
            if (i == 29) {
                checkpoint = end;
            }
        }
        wal.close();
        int before = wal.segments().size();
        assertThat(before).isGreaterThan(10);

        List<String> read = reopen(checkpoint);
        assertThat(read).hasSize(20);
        assertThat(read.get(0)).startsWith("1:record-30-");

        Wal again = Wal.open(dir, checkpoint, false, 200, (t, b) -> { });
        assertThat(again.deleteBefore(checkpoint)).isGreaterThan(0);
        again.close();
        assertThat(reopen(checkpoint)).hasSize(20);
        assertThat(again.segments().size()).isLessThan(before);
    }

    @Test
    void fsyncModeWritesTheSameLog() throws IOException {
        Wal wal = Wal.open(dir, 0, true, 1 << 20, (t, b) -> { });
        wal.append((byte) 3, text("synced"));
        wal.flush();
        wal.abandon();
        assertThat(reopen(0)).containsExactly("3:synced");
    }
}
