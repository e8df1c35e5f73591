package io.edgeport.auth.passwd.internal;

import java.nio.charset.StandardCharsets;

/**
 * Rules for usernames and passwords that operators enter (shell, web console). They are mosquitto_passwd 2.0.11's
 * rules (at most 65535 bytes, no control characters, no ':') plus what keeps the file readable by the Mosquitto
 * broker: no leading or trailing white space (the broker trims it) and no leading '#' (a comment). Messages never
 * contain the password.
 */
final class UserInput {

    static final int MAX_BYTES = 65535;

    private UserInput() {
    }

    static void checkUsername(String username) {
        if (username == null || username.isEmpty()) {
            throw new IllegalArgumentException("username is empty");
        }
        if (username.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new IllegalArgumentException("username is longer than " + MAX_BYTES + " bytes");
        }
        if (username.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("username contains control characters");
        }
        if (username.indexOf(':') >= 0) {
            throw new IllegalArgumentException("username contains ':'");
        }
        if (!PasswordLine.trim(username).equals(username) || !username.strip().equals(username)) {
            throw new IllegalArgumentException("username starts or ends with white space");
        }
        if (username.startsWith("#")) {
            throw new IllegalArgumentException("username starts with '#' (the file would read it as a comment)");
        }
        if (username.chars().anyMatch(c -> c >= 0xD800 && c <= 0xDFFF)
                && !StandardCharsets.UTF_8.newEncoder().canEncode(username)) {
            throw new IllegalArgumentException("username is not valid Unicode");
        }
    }

    /** Empty passwords are refused here although mosquitto_passwd accepts them: an operator typo, not a policy. */
    static void checkPassword(String password) {
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("password is empty");
        }
        if (password.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("password contains a NUL character (Mosquitto would cut it there)");
        }
        if (!StandardCharsets.UTF_8.newEncoder().canEncode(password)) {
            throw new IllegalArgumentException("password is not valid Unicode");
        }
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new IllegalArgumentException("password is longer than " + MAX_BYTES + " bytes");
        }
    }
}
