package io.edgeport.auth.passwd.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Mosquitto 2.0 password file. Line rules are Mosquitto's ({@link PasswordLine}); a bad line is skipped and
 * reported, the others still count, as the Mosquitto broker does ("removing entry"). Hostile input is bounded: lines
 * over {@link LineReader#MAX_LINE} bytes, files over {@link #MAX_FILE} bytes, invalid UTF-8, bad base64, iteration
 * counts outside 1..{@value PasswordHash#MAX_ITERATIONS} are all errors. Messages name file and line, never the
 * hash. Stateless and thread-safe.
 */
final class PasswordFileParser {

    /** A password file larger than this is refused as a whole (64 MiB: about 400,000 users). */
    static final long MAX_FILE = 64L << 20;

    private PasswordFileParser() {
    }

    /** @throws IOException when the file cannot be read or is too large; the caller keeps its last good state */
    static ParseResult parse(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE) {
            throw new IOException(file + " is " + size + " bytes; more than " + MAX_FILE + " is refused");
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            return parse(in, file.toString());
        }
    }

    static ParseResult parse(InputStream in, String name) throws IOException {
        Map<String, PasswordHash> users = new HashMap<>();
        Map<String, Integer> lineOf = new HashMap<>();
        List<String> problems = new ArrayList<>();
        LineReader reader = new LineReader(in);
        int number = 0;
        int entries = 0;
        long total = 0;
        for (LineReader.Line raw; (raw = reader.next()) != null;) {
            number++;
            total += raw.bytes().length + 1;
            if (total > MAX_FILE) {
                throw new IOException(name + " grew beyond " + MAX_FILE + " bytes while being read");
            }
            String where = name + ":" + number + ": ";
            if (raw.tooLong()) {
                entries++;
                problems.add(where + "line longer than " + LineReader.MAX_LINE + " bytes, skipped");
                continue;
            }
            String line;
            try {
                line = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw.bytes()))
                        .toString();
            } catch (CharacterCodingException e) {
                entries++;
                problems.add(where + "not valid UTF-8, skipped");
                continue;
            }
            if (!PasswordLine.isEntry(line)) {
                if (!line.startsWith("#") && !PasswordLine.trim(line).isEmpty()) {
                    // Mosquitto ignores such a line silently; it is almost certainly a mistake, so say so.
                    problems.add(where + "no ':' in line, ignored");
                }
                continue;
            }
            entries++;
            try {
                PasswordLine entry = PasswordLine.split(line);
                PasswordHash hash = PasswordHash.parse(entry.hashField());
                Integer previous = lineOf.put(entry.username(), number);
                if (previous != null) {
                    problems.add(where + "user '" + entry.username() + "' already defined on line " + previous
                            + "; this later line wins (as in Mosquitto)");
                }
                users.put(entry.username(), hash);
            } catch (IllegalArgumentException e) {
                problems.add(where + e.getMessage() + ", skipped");
            }
        }
        return new ParseResult(users, problems, entries);
    }
}
