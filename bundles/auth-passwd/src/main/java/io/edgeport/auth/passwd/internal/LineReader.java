package io.edgeport.auth.passwd.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.ByteArrayOutputStream;

/**
 * Splits a byte stream into '\n'-terminated lines without ever holding more than {@link #MAX_LINE} bytes of one line:
 * a longer line is reported as too long and its rest skipped. Not thread-safe; one reader per stream.
 */
final class LineReader {

    /**
     * Room for Mosquitto's longest username (65535 bytes), a ':' and a $7$ hash with a 10-digit iteration count;
     * anything longer cannot be a valid entry.
     */
    static final int MAX_LINE = 65535 + 1 + 128;

    /** One raw line: its bytes (without '\n'), or {@code tooLong} with the bytes cut off. */
    record Line(byte[] bytes, boolean tooLong) {
    }

    private final InputStream in;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
    private boolean eof;

    LineReader(InputStream in) {
        this.in = in;
    }

    /** @return the next line, or null at the end of the stream */
    Line next() throws IOException {
        if (eof) {
            return null;
        }
        buffer.reset();
        boolean tooLong = false;
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                return new Line(buffer.toByteArray(), tooLong);
            }
            if (buffer.size() < MAX_LINE) {
                buffer.write(c);
            } else {
                tooLong = true;
            }
        }
        eof = true;
        return buffer.size() == 0 && !tooLong ? null : new Line(buffer.toByteArray(), tooLong);
    }
}
