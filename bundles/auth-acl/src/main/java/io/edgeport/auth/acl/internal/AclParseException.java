package io.edgeport.auth.acl.internal;

/** A line Mosquitto 2.0.11 would refuse. The message starts with {@code source:line:}. */
final class AclParseException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int line;

    AclParseException(String source, int line, String message) {
        super(source + ":" + line + ": " + message);
        this.line = line;
    }

    int line() {
        return line;
    }
}
