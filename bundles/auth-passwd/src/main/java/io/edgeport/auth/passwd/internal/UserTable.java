package io.edgeport.auth.passwd.internal;

import io.edgeport.commons.text.Printable;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.edgeport.api.auth.AuthResult;
import io.edgeport.api.auth.ConnectRequest;

/**
 * An immutable snapshot of one password file: the realm swaps whole tables (volatile reference), so a CONNECT always
 * sees one consistent file. Thread-safe.
 *
 * <p>Decisions, matching the Mosquitto 2.0.11 broker with {@code password_file} (src/security_default.c,
 * mosquitto_unpwd_check_default, and src/security.c, mosquitto_unpwd_check):
 * <ul>
 * <li>no username: abstain. Mosquitto defers such clients to {@code allow_anonymous}; the broker's chain does the same
 * when every provider abstains.</li>
 * <li>known user, right password: allow with identity = username.</li>
 * <li>known user, wrong or missing password: deny.</li>
 * <li>unknown user: deny with {@link UnknownUser#DENY} (Mosquitto refuses unknown users even with
 * {@code allow_anonymous true}; abstaining would let Edgeport's anonymous rule accept them, a different answer), or
 * abstain with {@link UnknownUser#ABSTAIN} so that a lower-ranked realm or provider can decide.</li>
 * </ul>
 */
final class UserTable {

    /** What to answer for a username that is not in the file. */
    enum UnknownUser {
        DENY, ABSTAIN
    }

    static final UserTable EMPTY = new UserTable(Map.of());

    private final Map<String, PasswordHash> users;

    UserTable(Map<String, PasswordHash> users) {
        this.users = Map.copyOf(users);
    }

    AuthResult authenticate(ConnectRequest request, UnknownUser unknown) {
        String username = request.username();
        if (username == null) {
            return AuthResult.abstain();
        }
        PasswordHash hash = users.get(username);
        if (hash == null) {
            return unknown == UnknownUser.DENY
                    ? AuthResult.deny("unknown user " + Printable.of(username))
                    : AuthResult.abstain();
        }
        byte[] password = request.password();
        if (password == null) {
            return AuthResult.deny("no password for user " + Printable.of(username));
        }
        return hash.matches(password) ? AuthResult.allow(username)
                : AuthResult.deny("bad password for user " + Printable.of(username));
    }

    boolean contains(String username) {
        return users.containsKey(username);
    }

    /** @return the usernames, sorted; never the hashes */
    Set<String> usernames() {
        return new TreeSet<>(users.keySet());
    }

    /** @return the hash scheme of a user for listings ("$7$ (101 iterations)"), or null when unknown */
    String scheme(String username) {
        PasswordHash h = users.get(username);
        return h == null ? null : h.type() == 6 ? "$6$ (salted SHA-512)" : "$7$ (PBKDF2, " + h.iterations()
                + " iterations)";
    }

    int size() {
        return users.size();
    }

}
