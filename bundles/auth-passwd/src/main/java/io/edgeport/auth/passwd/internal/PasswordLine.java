package io.edgeport.auth.passwd.internal;

/**
 * How the Mosquitto 2.0 broker splits one line of a password file (src/security_default.c, pwfile__parse): a line
 * whose first character is '#' is a comment, a line without ':' is ignored (so blank lines are too), otherwise the
 * username is the text before the first ':' and the hash the text after it, both trimmed of C white space (which also
 * removes the '\r' of CRLF files). Usernames therefore cannot contain ':'.
 *
 * <p>Where Mosquitto silently tolerates odd lines we report them instead: an empty username (Mosquitto would skip the
 * leading ':' and take the hash as the username) and a third ':'-separated field (Mosquitto ignores it).
 *
 * @param username the trimmed username
 * @param hashField the trimmed hash text; never logged
 */
record PasswordLine(String username, String hashField) {

    /** @return true when the broker treats the line as an entry (not a comment, has a ':') */
    static boolean isEntry(String line) {
        return !line.startsWith("#") && line.indexOf(':') >= 0;
    }

    /**
     * @param line one line without its '\n'; must satisfy {@link #isEntry}
     * @throws IllegalArgumentException why the line is not a valid entry (never quoting the hash)
     */
    static PasswordLine split(String line) {
        int colon = line.indexOf(':');
        String user = trim(line.substring(0, colon));
        String rest = line.substring(colon + 1);
        if (user.isEmpty()) {
            throw new IllegalArgumentException("empty username");
        }
        if (user.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("username contains control characters");
        }
        if (rest.indexOf(':') >= 0) {
            throw new IllegalArgumentException("more than one ':' (usernames and hashes cannot contain ':')");
        }
        String hash = trim(rest);
        if (hash.isEmpty()) {
            throw new IllegalArgumentException("missing password hash for user '" + user + "'");
        }
        return new PasswordLine(user, hash);
    }

    /** @return the username of an entry line, or null when the line is not one (or has no usable username) */
    static String usernameOf(String line) {
        if (!isEntry(line)) {
            return null;
        }
        String user = trim(line.substring(0, line.indexOf(':')));
        return user.isEmpty() ? null : user;
    }

    /** C {@code isspace} in the "C" locale: what misc__trimblanks removes. */
    static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000b' || c == '\f' || c == '\r';
    }

    static String trim(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && isCSpace(s.charAt(b))) {
            b++;
        }
        while (e > b && isCSpace(s.charAt(e - 1))) {
            e--;
        }
        return s.substring(b, e);
    }
}
