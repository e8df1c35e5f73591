package io.edgeport.auth.acl.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses an acl_file the way Mosquitto 2.0.11 {@code aclfile__parse} (src/security_default.c) does, line by line:
 * the first line Mosquitto would refuse makes the whole file fail with {@code file:line}; there is no partial model.
 *
 * <p>Beyond Mosquitto: a line longer than {@link #MAX_LINE} characters and a file larger than {@link #MAX_FILE}
 * bytes are refused (Mosquitto grows its buffer without limit). {@link #MAX_LINE} is above the longest valid line
 * (a 65,535-byte topic plus keywords), so no file Mosquitto accepts with valid topics is refused for length.
 *
 * <p>Stateless; {@link #parse} may be called from any thread.
 */
final class AclParser {

    /** Longest accepted line, in characters (80 KiB). */
    static final int MAX_LINE = 80 * 1024;
    /** Largest accepted file (32 MiB). */
    static final long MAX_FILE = 32L * 1024 * 1024;
    /** Mosquitto's TOPIC_HIERARCHY_LIMIT (src/mosquitto_broker_internal.h): at most 200 '/' in an ACL topic. */
    static final int TOPIC_HIERARCHY_LIMIT = 200;

    private AclParser() {
    }

    static AclModel parse(Path file) throws IOException, AclParseException {
        String source = file.toString();
        if (Files.size(file) > MAX_FILE) {
            throw new AclParseException(source, 0, "file larger than " + MAX_FILE + " bytes");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, source);
        }
    }

    static AclModel parse(InputStream in, String source) throws IOException, AclParseException {
        // Bad UTF-8 becomes U+FFFD: such a username or topic then matches nothing a client can send.
        Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE));
        return parse(reader, source);
    }

    static AclModel parse(Reader reader, String source) throws IOException, AclParseException {
        Deque<AclRule> anonymous = null;
        Map<String, Deque<AclRule>> users = new LinkedHashMap<>();
        Deque<AclRule> patterns = new ArrayDeque<>();
        String user = null;
        LineReader lines = new LineReader(reader);
        String raw;
        while ((raw = lines.next()) != null) {
            int lineNo = lines.number();
            if (raw.length() > MAX_LINE) {
                throw new AclParseException(source, lineNo, "line longer than " + MAX_LINE + " characters");
            }
            // fgets + C string: a NUL ends the line.
            int nul = raw.indexOf('\0');
            String buf = nul >= 0 ? raw.substring(0, nul) : raw;
            // Trailing isspace() characters are removed; leading ones are not.
            int end = buf.length();
            while (end > 0 && isCSpace(buf.charAt(end - 1))) {
                end--;
            }
            buf = buf.substring(0, end);
            // Only a '#' in the very first column is a comment ("  # x" is an invalid line).
            if (buf.startsWith("#")) {
                continue;
            }
            Tokenizer tok = new Tokenizer(buf);
            String keyword = tok.next();
            if (keyword == null) {
                continue; // empty or blank line
            }
            if (keyword.equals("topic") || keyword.equals("pattern")) {
                String accessWord = tok.next();
                if (accessWord == null) {
                    throw new AclParseException(source, lineNo, "empty topic");
                }
                String rest = tok.rest();
                String topic;
                int access;
                if (rest != null) {
                    topic = trimBlanks(rest);
                    access = switch (accessWord) {
                        case "read" -> AclRule.READ;
                        case "write" -> AclRule.WRITE;
                        case "readwrite" -> AclRule.READ | AclRule.WRITE;
                        case "deny" -> AclRule.DENY;
                        default -> throw new AclParseException(source, lineNo,
                                "invalid topic access type \"" + accessWord + "\"");
                    };
                } else {
                    // "topic read" alone grants readwrite on the topic "read", as in Mosquitto.
                    topic = accessWord;
                    access = AclRule.READ | AclRule.WRITE;
                }
                String problem = subTopicCheck(topic);
                if (problem != null) {
                    throw new AclParseException(source, lineNo, "invalid ACL topic \"" + abbreviate(topic) + "\": "
                            + problem);
                }
                if (keyword.equals("topic")) {
                    Deque<AclRule> list;
                    if (user == null) {
                        if (anonymous == null) {
                            anonymous = new ArrayDeque<>();
                        }
                        list = anonymous;
                    } else {
                        list = users.computeIfAbsent(user, u -> new ArrayDeque<>());
                    }
                    add(list, AclRule.topic(topic, access, lineNo));
                } else {
                    add(patterns, AclRule.pattern(topic, access, lineNo));
                }
            } else if (keyword.equals("user")) {
                String rest = tok.rest();
                if (rest == null) {
                    throw new AclParseException(source, lineNo, "missing username");
                }
                user = trimBlanks(rest);
            } else {
                throw new AclParseException(source, lineNo, "invalid line: " + abbreviate(buf));
            }
        }
        Map<String, RuleIndex> frozen = new HashMap<>();
        users.forEach((u, l) -> frozen.put(u, new RuleIndex(l.toArray(new AclRule[0]))));
        return new AclModel(anonymous == null ? null : new RuleIndex(anonymous.toArray(new AclRule[0])),
                Map.copyOf(frozen), new RuleIndex(patterns.toArray(new AclRule[0])), true);
    }

    /** add__acl / add__acl_pattern: "deny" rules go to the front, grants to the back. */
    private static void add(Deque<AclRule> list, AclRule rule) {
        if (rule.access() == AclRule.DENY) {
            list.addFirst(rule);
        } else {
            list.addLast(rule);
        }
    }

    /**
     * mosquitto_sub_topic_check (lib/util_topic.c, broker build): '+' and '#' fill a whole level, '#' is last,
     * at most 65,535 bytes and {@value #TOPIC_HIERARCHY_LIMIT} '/'.
     *
     * @return null when valid, otherwise why not
     */
    static String subTopicCheck(String str) {
        char c = 0;
        int slashes = 0;
        int n = str.length();
        for (int i = 0; i < n; i++) {
            char ch = str.charAt(i);
            char next = i + 1 < n ? str.charAt(i + 1) : 0;
            if (ch == '+') {
                if ((c != 0 && c != '/') || (next != 0 && next != '/')) {
                    return "'+' must fill a whole level";
                }
            } else if (ch == '#') {
                if ((c != 0 && c != '/') || next != 0) {
                    return "'#' must be the whole last level";
                }
            } else if (ch == '/') {
                slashes++;
            }
            c = ch;
        }
        if (n > 21845 && str.getBytes(StandardCharsets.UTF_8).length > 65535) {
            return "longer than 65535 bytes";
        }
        if (slashes > TOPIC_HIERARCHY_LIMIT) {
            return "more than " + TOPIC_HIERARCHY_LIMIT + " levels";
        }
        return null;
    }

    /** C isspace() in the "C" locale. */
    static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000b' || c == '\f' || c == '\r';
    }

    /** misc__trimblanks (lib/misc_mosq.c): isspace() off both ends. */
    static String trimBlanks(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && isCSpace(s.charAt(b))) {
            b++;
        }
        while (e > b + 1 && isCSpace(s.charAt(e - 1))) {
            e--;
        }
        return s.substring(b, e);
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    /** strtok_r(buf, " ") then strtok_r(NULL, "") on one line: only the space character separates tokens. */
    private static final class Tokenizer {
        private final String s;
        private int pos;

        Tokenizer(String s) {
            this.s = s;
        }

        String next() {
            int n = s.length();
            while (pos < n && s.charAt(pos) == ' ') {
                pos++;
            }
            if (pos >= n) {
                return null;
            }
            int start = pos;
            while (pos < n && s.charAt(pos) != ' ') {
                pos++;
            }
            String token = s.substring(start, pos);
            if (pos < n) {
                pos++; // strtok_r overwrites the delimiter and continues after it
            }
            return token;
        }

        /** strtok_r(NULL, "", ...): everything left, or null when nothing is left. */
        String rest() {
            if (pos >= s.length()) {
                return null;
            }
            String r = s.substring(pos);
            pos = s.length();
            return r;
        }
    }

    /**
     * Splits at '\n' only (as fgets does; a lone '\r' stays in the line and is trimmed as trailing space). A line
     * longer than {@link #MAX_LINE} is returned truncated to MAX_LINE + 1 characters, without buffering the rest.
     */
    private static final class LineReader {
        private final Reader in;
        private final char[] buf = new char[8192];
        private int len;
        private int pos;
        private int number;
        private boolean eof;

        LineReader(Reader in) {
            this.in = in;
        }

        int number() {
            return number;
        }

        String next() throws IOException {
            if (eof && pos >= len) {
                return null;
            }
            StringBuilder line = new StringBuilder();
            boolean any = false;
            while (true) {
                if (pos >= len) {
                    len = in.read(buf);
                    pos = 0;
                    if (len <= 0) {
                        len = 0;
                        eof = true;
                        if (!any) {
                            return null;
                        }
                        number++;
                        return line.toString();
                    }
                }
                any = true;
                char c = buf[pos++];
                if (c == '\n') {
                    number++;
                    return line.toString();
                }
                if (line.length() <= MAX_LINE) {
                    line.append(c);
                }
            }
        }
    }
}
