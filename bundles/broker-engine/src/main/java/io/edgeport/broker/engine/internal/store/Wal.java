package io.edgeport.broker.engine.internal.store;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's write-ahead log: an append-only sequence of checksummed records in segment files
 * ({@code <start position, 20 digits>.wal}), written in groups.
 *
 * <p>Record layout: {@code int length} (of type + body), {@code int crc32c} (of type + body), {@code byte type},
 * body. A position is a byte offset in the whole log (segment start + offset), so positions stay valid when old
 * segments are deleted.
 *
 * <p>Writing is two-step: {@link #append} copies a record into an in-memory buffer (any thread, under the log's lock);
 * {@link #flush} hands everything appended so far to the operating system in one {@code write(2)} (and, with
 * {@code fsync}, forces it to the device), and returns the position up to which records are durable. One thread
 * flushes (the group committer); appenders never wait for the disk.
 *
 * <p>Recovery ({@link #open}): records are read from a given position; the first record that is cut short or whose
 * checksum does not match ends the log — it and anything after it are what a crash left half-written, are dropped (the
 * file is truncated there) and reported, never read as data.
 */
public final class Wal implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(Wal.class);
    static final int HEADER = 9;
    /** Larger than any record we write (payloads are bounded by message_size_limit, at most 256 MB in MQTT). */
    static final int MAX_RECORD = 300 * 1024 * 1024;
    private static final String SUFFIX = ".wal";
    /** A buffer that grew beyond this under a burst is replaced by a small one once written. */
    private static final int KEEP_BUFFER = 4 * 1024 * 1024;

    /** Reads one record during recovery. */
    @FunctionalInterface
    public interface RecordHandler {
        /** @param body the record's body (position 0, limit = length); valid only during the call */
        void record(byte type, ByteBuffer body) throws IOException;
    }

    /** Writes a record's body. */
    @FunctionalInterface
    public interface Body {
        void write(Out out);
    }

    private final Path dir;
    private volatile boolean fsync;
    private final long segmentBytes;
    private final Object lock = new Object();
    private final CRC32C crc = new CRC32C();
    private final Out out = new Out();
    /** Appended, not yet written; guarded by {@link #lock}. */
    private ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    private ByteBuffer spare = ByteBuffer.allocate(64 * 1024);
    /** Position after the last appended record; guarded by {@link #lock}. */
    private long appended;
    private volatile long durable;
    /** Only the flushing thread touches the channel. */
    private FileChannel channel;
    private long channelStart;
    private long channelSize;
    private volatile boolean closed;

    private Wal(Path dir, boolean fsync, long segmentBytes) {
        this.dir = dir;
        this.fsync = fsync;
        this.segmentBytes = segmentBytes;
    }

    /**
     * Opens (or creates) the log in {@code dir} and replays the records from {@code from} on.
     *
     * @param from the position recovery starts at (the last checkpoint); records before it are not read
     * @param handler gets each intact record in order; an exception from it aborts the open
     * @return the open log, positioned after the last intact record
     */
    public static Wal open(Path dir, long from, boolean fsync, long segmentBytes, RecordHandler handler)
            throws IOException {
        Files.createDirectories(dir);
        Wal wal = new Wal(dir, fsync, segmentBytes);
        long end = wal.recover(from, handler);
        wal.appended = end;
        wal.durable = end;
        wal.openForAppend(end);
        return wal;
    }

    /** @return the start position of the oldest segment in {@code dir}, null when there is none */
    static Long firstSegment(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        List<Long> starts = segments(dir);
        return starts.isEmpty() ? null : starts.get(0);
    }

    /** @return segment start positions in ascending order */
    List<Long> segments() throws IOException {
        return segments(dir);
    }

    static List<Long> segments(Path dir) throws IOException {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(SUFFIX)).forEach(n -> {
                try {
                    out.add(Long.parseLong(n.substring(0, n.length() - SUFFIX.length())));
                } catch (NumberFormatException e) {
                    LOG.warn("Ignoring {} in the log folder {}: not a log segment", n, dir);
                }
            });
        }
        out.sort(null);
        return out;
    }

    private Path segment(long start) {
        return dir.resolve(String.format("%020d%s", start, SUFFIX));
    }

    private long recover(long from, RecordHandler handler) throws IOException {
        List<Long> starts = segments();
        long position = from;
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        ByteBuffer body = ByteBuffer.allocate(64 * 1024);
        CRC32C check = new CRC32C();
        for (int i = 0; i < starts.size(); i++) {
            long start = starts.get(i);
            long next = i + 1 < starts.size() ? starts.get(i + 1) : Long.MAX_VALUE;
            if (next <= from) {
                continue; // wholly before the checkpoint: left for the next checkpoint to delete
            }
            if (start > position) {
                dropFrom(starts, i, "a gap in the log before segment " + segment(start).getFileName()
                        + " (expected position " + position + ")");
                return position;
            }
            try (FileChannel ch = FileChannel.open(segment(start), StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                long size = ch.size();
                long offset = position - start;
                while (offset < size) {
                    String torn = null;
                    header.clear();
                    if (size - offset < HEADER || readFully(ch, header, offset) < HEADER) {
                        torn = "record header cut short";
                    } else {
                        header.flip();
                        int length = header.getInt();
                        int crc = header.getInt();
                        if (length < 1 || length > MAX_RECORD || offset + 8 + length > size) {
                            torn = "record length " + length + " beyond the end of the segment";
                        } else {
                            if (body.capacity() < length) {
                                body = ByteBuffer.allocate(Math.max(length, body.capacity() * 2));
                            }
                            body.clear().limit(length);
                            readFully(ch, body, offset + 8);
                            check.reset();
                            check.update(body.array(), 0, length);
                            if ((int) check.getValue() != crc) {
                                torn = "checksum mismatch";
                            } else {
                                byte type = body.get(0);
                                ByteBuffer view = ByteBuffer.wrap(body.array(), 1, length - 1).slice();
                                handler.record(type, view);
                                offset += 8 + length;
                                position = start + offset;
                                continue;
                            }
                        }
                    }
                    LOG.warn("Store log: dropped a torn tail of {} bytes at position {} in {} ({}): what a crash left "
                            + "half-written, never acknowledged", size - offset, start + offset,
                            segment(start).getFileName(), torn);
                    ch.truncate(offset);
                    dropFrom(starts, i + 1, "segments after a torn record");
                    return start + offset;
                }
            }
        }
        return position;
    }

    private void dropFrom(List<Long> starts, int index, String why) throws IOException {
        for (int j = index; j < starts.size(); j++) {
            LOG.warn("Store log: deleting {} ({})", segment(starts.get(j)).getFileName(), why);
            Files.deleteIfExists(segment(starts.get(j)));
        }
    }

    private static int readFully(FileChannel ch, ByteBuffer dst, long at) throws IOException {
        int total = 0;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, at + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private void openForAppend(long end) throws IOException {
        List<Long> starts = segments();
        long start = starts.isEmpty() ? end : starts.get(starts.size() - 1);
        if (start > end) {
            start = end; // cannot happen after recover(); be safe
        }
        if (!starts.isEmpty() && start + Files.size(segment(start)) != end) {
            start = end; // the last segment does not end where the log does: begin a fresh one
        }
        channel = FileChannel.open(segment(start), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        channelStart = start;
        channelSize = end - start;
        channel.position(channelSize);
        if (fsync) {
            syncDirectory();
        }
    }

    private void syncDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            LOG.debug("Cannot fsync the folder {}: {}", dir, e.toString());
        }
    }

    /**
     * Appends a record to the in-memory buffer. Thread-safe; does not wait for the disk.
     *
     * @return the position after the record (durable once {@link #durablePosition()} reaches it)
     */
    public long append(byte type, Body body) {
        synchronized (lock) {
            return appendLocked(type, body);
        }
    }

    /**
     * Runs {@code change} and appends its record as one step: no other record is appended in between, so records of
     * changes to the same key are in the log in the order the changes were made.
     */
    public long appendAfter(Runnable change, byte type, Body body) {
        synchronized (lock) {
            change.run();
            return appendLocked(type, body);
        }
    }

    private long appendLocked(byte type, Body body) {
        if (closed) {
            throw new IllegalStateException("store log closed");
        }
        int start = buffer.position();
        ensure(HEADER);
        buffer.position(start + 8);
        buffer.put(type);
        out.target = this;
        try {
            body.write(out);
        } catch (RuntimeException | Error e) {
            buffer.position(start); // nothing half-written stays in the buffer
            throw e;
        }
        int end = buffer.position();
        int length = end - start - 8;
        crc.reset();
        crc.update(buffer.array(), start + 8, length);
        buffer.putInt(start, length);
        buffer.putInt(start + 4, (int) crc.getValue());
        appended += end - start;
        return appended;
    }

    private void ensure(int more) {
        if (buffer.remaining() < more) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + more));
            buffer.flip();
            bigger.put(buffer);
            buffer = bigger;
        }
    }

    /** Whether {@link #flush} forces what it writes to the device (takes effect at the next flush). */
    public void setFsync(boolean fsync) {
        this.fsync = fsync;
    }

    /** @return the position after the last appended record */
    public long appendedPosition() {
        synchronized (lock) {
            return appended;
        }
    }

    /** @return the position up to which records have been handed to the OS (and forced, with fsync) */
    public long durablePosition() {
        return durable;
    }

    /**
     * Writes everything appended so far. Serialised with {@link #deleteBefore}; the group committer calls it.
     *
     * <p>A write that fails (disk full, I/O error) counts for nothing: what reached the file is cut off again, the
     * records go back in front of what was appended since, and the exception is thrown; the next flush writes them
     * again at the same place. So the log on disk stays a sequence of whole records, positions keep matching file
     * offsets, and nothing is durable that was not written.
     *
     * @return the new durable position
     */
    public synchronized long flush() throws IOException {
        ByteBuffer toWrite;
        long end;
        synchronized (lock) {
            if (buffer.position() == 0) {
                return durable;
            }
            toWrite = buffer;
            buffer = spare != null ? spare : ByteBuffer.allocate(64 * 1024);
            spare = null;
            end = appended;
        }
        toWrite.flip();
        long start = end - toWrite.remaining();
        try {
            if (channelSize >= segmentBytes) {
                roll(start);
            }
            long at = channelSize;
            while (toWrite.hasRemaining()) {
                at += channel.write(toWrite, at);
            }
            if (fsync) {
                channel.force(false);
            }
        } catch (IOException | RuntimeException e) {
            putBack(toWrite);
            try {
                channel.truncate(channelSize);
            } catch (IOException | RuntimeException t) {
                e.addSuppressed(t); // the next write overwrites the partial bytes anyway (positional writes)
            }
            throw e;
        }
        channelSize += end - start;
        durable = end;
        toWrite.clear();
        synchronized (lock) {
            if (spare == null && toWrite.capacity() <= KEEP_BUFFER) {
                spare = toWrite;
            }
        }
        return end;
    }

    /** Puts records that could not be written back in front of those appended since. */
    private void putBack(ByteBuffer failed) {
        failed.rewind();
        synchronized (lock) {
            ByteBuffer merged = ByteBuffer.allocate(failed.remaining() + buffer.position() + 64 * 1024);
            merged.put(failed);
            buffer.flip();
            merged.put(buffer);
            buffer = merged;
        }
    }

    /** @return bytes appended and not yet written (grows while writes fail) */
    public int bufferedBytes() {
        synchronized (lock) {
            return buffer.position();
        }
    }

    /**
     * Starts the segment for records from {@code start}. The new file is opened before the old one is closed, so a
     * failure (disk full) leaves the log writing to the old one and the next flush tries again; a file of that name
     * can only be what such a failed attempt left, with no durable record in it.
     */
    private void roll(long start) throws IOException {
        FileChannel next = FileChannel.open(segment(start), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        try {
            if (fsync) {
                channel.force(true);
                syncDirectory();
            }
        } catch (IOException | RuntimeException e) {
            next.close();
            throw e;
        }
        channel.close();
        channel = next;
        channelStart = start;
        channelSize = 0;
    }

    /**
     * Deletes the segments that hold only records before {@code position} (a checkpoint made them unnecessary); the
     * segment being written is kept.
     *
     * @return the number of segments deleted
     */
    public synchronized int deleteBefore(long position) throws IOException {
        List<Long> starts = segments();
        int deleted = 0;
        for (int i = 0; i + 1 < starts.size(); i++) {
            if (starts.get(i + 1) <= position && starts.get(i) != channelStart) {
                try {
                    Files.delete(segment(starts.get(i)));
                    deleted++;
                } catch (NoSuchFileException e) {
                    // gone already
                }
            }
        }
        return deleted;
    }

    /** Bytes in the log from {@code position} to the end of what was appended. */
    public long bytesSince(long position) {
        return appendedPosition() - position;
    }

    /** Writes what is buffered and closes the files. Further appends throw. */
    @Override
    public void close() throws IOException {
        try {
            flush();
            if (channel != null) {
                channel.force(true);
            }
        } finally {
            closed = true;
            if (channel != null) {
                channel.close();
            }
        }
    }

    /** Closes without writing what is buffered: what a crash does (tests). */
    void abandon() throws IOException {
        closed = true;
        channel.close();
    }

    /**
     * A reader of the records that are durable ({@link #durablePosition()}), from a position on, while the log is
     * written: what consumers of the message log use. Records are read with positional reads from the segment files
     * (the page cache serves recent ones). A reader is used by one thread at a time.
     */
    public Reader reader(long from) {
        return new Reader(from);
    }

    /** One record read by a {@link Reader}. */
    public record Record(byte type, ByteBuffer body, long end) {
    }

    public final class Reader implements Closeable {
        private long position;
        private FileChannel channel;
        private long channelStart = -1;
        private long channelSize;
        private ByteBuffer buf = ByteBuffer.allocate(256 * 1024);
        /** Log position of {@code buf}'s byte 0; the buffer holds valid data up to its limit. */
        private long bufStart;
        private long skipped;
        private final CRC32C check = new CRC32C();

        private Reader(long from) {
            this.position = from;
            this.bufStart = from;
            buf.limit(0);
        }

        /** @return the position of the next record to read (after the last one returned) */
        public long position() {
            return position;
        }

        /** Bytes jumped over because the segments that held them were deleted (retention) or were damaged. */
        public long skipped() {
            return skipped;
        }

        /** Moves to {@code to}, which must be the start of a record (a position a reader returned). */
        public void seek(long to) {
            position = to;
            buf.limit(0);
            bufStart = to;
        }

        /** @return the next durable record, or null when there is none (yet); its body is valid until the next call */
        public Record next() throws IOException {
            long end = durable;
            while (position < end) {
                if (!available(HEADER)) {
                    if (!openSegmentFor(position)) {
                        return null;
                    }
                    if (!available(HEADER)) {
                        if (position >= channelStart + channelSize && channelSize > 0) {
                            channel.close(); // this segment is done; the next one starts here
                            channel = null;
                            continue;
                        }
                        return null;
                    }
                }
                int at = (int) (position - bufStart);
                int length = buf.getInt(at);
                int crc = buf.getInt(at + 4);
                if (length < 1 || length > MAX_RECORD || !available(8 + length)) {
                    damaged("record length " + length);
                    continue;
                }
                at = (int) (position - bufStart);
                check.reset();
                check.update(buf.array(), at + 8, length);
                if ((int) check.getValue() != crc) {
                    damaged("checksum mismatch");
                    continue;
                }
                byte type = buf.get(at + 8);
                ByteBuffer body = ByteBuffer.wrap(buf.array(), at + 9, length - 1).slice();
                position += 8 + length;
                return new Record(type, body, position);
            }
            return null;
        }

        /** Whether {@code n} bytes from {@link #position} are in the buffer, reading from the segment if needed. */
        private boolean available(int n) throws IOException {
            long offsetInBuf = position - bufStart;
            if (offsetInBuf >= 0 && offsetInBuf + n <= buf.limit()) {
                return true;
            }
            if (channel == null || position < channelStart) {
                return false;
            }
            channelSize = channel.size();
            long inFile = position - channelStart;
            if (inFile + n > channelSize) {
                return false;
            }
            if (buf.capacity() < n) {
                buf = ByteBuffer.allocate(Math.max(n, buf.capacity() * 2));
            }
            buf.clear();
            int want = (int) Math.min(buf.capacity(), channelSize - inFile);
            buf.limit(want);
            readFully(channel, buf, inFile);
            buf.flip();
            bufStart = position;
            return buf.limit() >= n;
        }

        private boolean openSegmentFor(long pos) throws IOException {
            if (channel != null && pos >= channelStart && pos < channelStart + channel.size()) {
                return true;
            }
            List<Long> starts = segments();
            if (starts.isEmpty()) {
                return false;
            }
            long start = -1;
            for (long s : starts) {
                if (s <= pos) {
                    start = s;
                }
            }
            if (start < 0) {
                long first = starts.get(0);
                skipped += first - pos;
                seek(first);
                start = first;
            }
            if (channel != null) {
                channel.close();
            }
            try {
                channel = FileChannel.open(segment(start), StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                channel = null; // deleted meanwhile: the next call finds the first one left
                return false;
            }
            channelStart = start;
            channelSize = channel.size();
            buf.limit(0);
            bufStart = position;
            return true;
        }

        /** A record that cannot be read: go on with the next segment (counted as skipped, logged). */
        private void damaged(String why) throws IOException {
            long next = channelStart + channelSize;
            LOG.warn("Message log: unreadable record at position {} in {} ({}); skipping {} bytes to the next segment",
                    position, segment(channelStart).getFileName(), why, next - position);
            skipped += next - position;
            channel.close();
            channel = null;
            seek(next);
        }

        @Override
        public void close() throws IOException {
            if (channel != null) {
                channel.close();
                channel = null;
            }
        }
    }

    /** Writes a record body into the log's buffer; only valid inside {@link Body#write}. */
    public static final class Out {
        private Wal target;

        public Out putByte(int b) {
            target.ensure(1);
            target.buffer.put((byte) b);
            return this;
        }

        public Out putInt(int v) {
            target.ensure(4);
            target.buffer.putInt(v);
            return this;
        }

        public Out putLong(long v) {
            target.ensure(8);
            target.buffer.putLong(v);
            return this;
        }

        /** A length-prefixed byte array. */
        public Out putBytes(byte[] b) {
            return putBytes(b, 0, b.length);
        }

        public Out putBytes(byte[] b, int off, int len) {
            target.ensure(4 + len);
            target.buffer.putInt(len);
            target.buffer.put(b, off, len);
            return this;
        }

        /** A length-prefixed byte array from a buffer's readable bytes (the buffer's indexes are unchanged). */
        public Out putBytes(io.netty.buffer.ByteBuf b) {
            int len = b.readableBytes();
            target.ensure(4 + len);
            target.buffer.putInt(len);
            int pos = target.buffer.position();
            b.getBytes(b.readerIndex(), target.buffer.array(), target.buffer.arrayOffset() + pos, len);
            target.buffer.position(pos + len);
            return this;
        }

        public Out putString(String s) {
            return putBytes(s.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Reads what {@link Out} wrote. */
    public static byte[] getBytes(ByteBuffer in) {
        int len = in.getInt();
        if (len < 0 || len > in.remaining()) {
            throw new IllegalArgumentException("bad length " + len);
        }
        byte[] b = new byte[len];
        in.get(b);
        return b;
    }

    public static String getString(ByteBuffer in) {
        return new String(getBytes(in), StandardCharsets.UTF_8);
    }
}
