package io.edgeport.commons.bridge;

import java.util.ArrayList;
import java.util.List;

import io.edgeport.commons.mqtt.TopicFilters;

/**
 * One {@code topic} line of a bridge, with Mosquitto's meaning: {@code pattern [out|in|both] [qos] [local prefix]
 * [remote prefix]}. The local filter is local prefix + pattern, the remote one remote prefix + pattern; a message
 * crossing the bridge has its prefix replaced by the other side's.
 *
 * @param pattern the topic pattern ("" only with a prefix: the prefix is then the whole topic)
 * @param out local messages go upstream
 * @param in upstream messages come in
 * @param qos the QoS the bridge uses (at most that of the message)
 */
public record TopicRule(String pattern, boolean out, boolean in, int qos, String localPrefix, String remotePrefix) {

    public String localFilter() {
        return localPrefix + pattern;
    }

    public String remoteFilter() {
        return remotePrefix + pattern;
    }

    public boolean both() {
        return in && out;
    }

    /** @return the upstream topic of a local one this rule's local filter matches */
    public String toRemote(String localTopic) {
        return remotePrefix + localTopic.substring(localPrefix.length());
    }

    /** @return the local topic of an upstream one this rule's remote filter matches */
    public String toLocal(String remoteTopic) {
        return localPrefix + remoteTopic.substring(remotePrefix.length());
    }

    /**
     * @param line e.g. {@code sensors/# out 1 "" plant-a/}
     * @throws IllegalArgumentException saying what is wrong, in the words of the line
     */
    public static TopicRule parse(String line) {
        List<String> t = tokens(line);
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty topic line");
        }
        if (t.size() > 5) {
            throw new IllegalArgumentException("'" + line + "': more than 5 words (pattern, direction, qos, local"
                    + " prefix, remote prefix)");
        }
        String pattern = t.get(0);
        String dir = t.size() > 1 ? t.get(1) : "out";
        boolean out;
        boolean in;
        switch (dir) {
            case "out" -> { out = true; in = false; }
            case "in" -> { out = false; in = true; }
            case "both" -> { out = true; in = true; }
            default -> throw new IllegalArgumentException("'" + line + "': direction must be in, out or both, not '"
                    + dir + "'");
        }
        int qos = 0;
        if (t.size() > 2) {
            String q = t.get(2);
            if (!q.equals("0") && !q.equals("1") && !q.equals("2")) {
                throw new IllegalArgumentException("'" + line + "': qos must be 0, 1 or 2, not '" + q + "'");
            }
            qos = Integer.parseInt(q);
        }
        if (t.size() == 4) {
            throw new IllegalArgumentException("'" + line + "': a local prefix needs a remote prefix too (\"\" for"
                    + " none)");
        }
        String local = t.size() > 3 ? t.get(3) : "";
        String remote = t.size() > 4 ? t.get(4) : "";
        if (pattern.isEmpty() && local.isEmpty() && remote.isEmpty()) {
            throw new IllegalArgumentException("'" + line + "': an empty pattern needs a prefix");
        }
        for (String prefix : new String[] {local, remote}) {
            if (prefix.contains("+") || prefix.contains("#")) {
                throw new IllegalArgumentException("'" + line + "': a prefix cannot contain wildcards: '" + prefix
                        + "'");
            }
        }
        TopicRule r = new TopicRule(pattern, out, in, qos, local, remote);
        if (!TopicFilters.valid(r.localFilter()) || !TopicFilters.valid(r.remoteFilter())) {
            throw new IllegalArgumentException("'" + line + "': '" + (TopicFilters.valid(r.localFilter())
                    ? r.remoteFilter() : r.localFilter()) + "' is not an MQTT topic filter");
        }
        return r;
    }

    /** Splits on blanks; {@code "..."} is one word (so {@code ""} is an empty one). */
    public static List<String> tokens(String line) {
        List<String> out = new ArrayList<>();
        String s = line == null ? "" : line.strip();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '"') {
                int end = s.indexOf('"', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("'" + line + "': a quote is not closed");
                }
                out.add(s.substring(i + 1, end));
                i = end + 1;
            } else {
                int end = i;
                while (end < s.length() && !Character.isWhitespace(s.charAt(end))) {
                    end++;
                }
                out.add(s.substring(i, end));
                i = end;
            }
        }
        return out;
    }
}
