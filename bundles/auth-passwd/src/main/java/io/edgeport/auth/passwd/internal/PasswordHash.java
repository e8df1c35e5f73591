package io.edgeport.auth.passwd.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * One parsed password hash in Mosquitto 2.0 notation. Exactly two forms are accepted (what mosquitto_passwd 2.0.11
 * writes):
 * <pre>
 * $6$&lt;salt: base64 of 12 bytes&gt;$&lt;hash: base64 of 64 bytes&gt;
 * $7$&lt;iterations: 1..{@value #MAX_ITERATIONS}&gt;$&lt;salt&gt;$&lt;hash&gt;
 * </pre>
 * Base64 is the standard alphabet with padding (16 and 88 characters). Mosquitto itself is laxer (it splits on runs of
 * '$', reads the iteration count with atoi and has no upper limit); a file written by mosquitto_passwd is always in the
 * strict form. Immutable; {@link #matches} is thread-safe.
 *
 * @param type 6 or 7
 * @param iterations PBKDF2 iterations for type 7; 0 for type 6
 */
record PasswordHash(int type, int iterations, byte[] salt, byte[] hash) {

    /** mosquitto_passwd 2.0.11's PW_DEFAULT_ITERATIONS. */
    static final int DEFAULT_ITERATIONS = 101;
    /** Refused above this: a hostile file could otherwise make every CONNECT cost minutes of CPU. */
    static final int MAX_ITERATIONS = 10_000_000;

    private static final Base64.Decoder DECODER = Base64.getDecoder();
    private static final Base64.Encoder ENCODER = Base64.getEncoder();

    PasswordHash {
        salt = salt.clone();
        hash = hash.clone();
    }

    /** A new {@code $7$} hash with a fresh random salt, as {@code mosquitto_passwd -b} makes it. */
    static PasswordHash pbkdf2(String password, int iterations, SecureRandom random) {
        if (iterations < 1 || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be 1.." + MAX_ITERATIONS);
        }
        byte[] salt = new byte[Hashing.SALT_LENGTH];
        random.nextBytes(salt);
        return new PasswordHash(7, iterations, salt,
                Hashing.pbkdf2(password.getBytes(StandardCharsets.UTF_8), salt, iterations));
    }

    /**
     * @param field the text after "username:", already trimmed
     * @throws IllegalArgumentException with a reason that never contains the field itself
     */
    static PasswordHash parse(String field) {
        if (!field.startsWith("$")) {
            throw new IllegalArgumentException("not a $6$ or $7$ hash (plain-text passwords are not accepted;"
                    + " convert the file with mosquitto_passwd -U)");
        }
        String[] parts = field.split("\\$", -1);
        // "$7$101$salt$hash".split -> ["", "7", "101", "salt", "hash"]
        if (parts.length == 4 && parts[1].equals("6")) {
            return new PasswordHash(6, 0, decode(parts[2], Hashing.SALT_LENGTH, "salt"),
                    decode(parts[3], Hashing.HASH_LENGTH, "hash"));
        }
        if (parts.length == 5 && parts[1].equals("7")) {
            return new PasswordHash(7, iterations(parts[2]), decode(parts[3], Hashing.SALT_LENGTH, "salt"),
                    decode(parts[4], Hashing.HASH_LENGTH, "hash"));
        }
        if (parts.length > 1 && (parts[1].equals("6") || parts[1].equals("7"))) {
            throw new IllegalArgumentException("$" + parts[1] + "$ hash with " + (parts.length - 2)
                    + " fields instead of " + (parts[1].equals("6") ? 2 : 3));
        }
        throw new IllegalArgumentException("unknown hash type (only $6$ and $7$ are supported)");
    }

    private static int iterations(String s) {
        if (s.isEmpty() || s.length() > 9 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("iteration count is not a number in 1.." + MAX_ITERATIONS);
        }
        int n = Integer.parseInt(s);
        if (n < 1 || n > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iteration count " + n + " is outside 1.." + MAX_ITERATIONS);
        }
        return n;
    }

    private static byte[] decode(String s, int length, String what) {
        byte[] b;
        try {
            b = DECODER.decode(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not valid base64");
        }
        if (b.length != length) {
            throw new IllegalArgumentException(what + " is " + b.length + " bytes instead of " + length);
        }
        return b;
    }

    /** @return the field as mosquitto_passwd 2.0.11 writes it (no newline) */
    String format() {
        String s = ENCODER.encodeToString(salt);
        String h = ENCODER.encodeToString(hash);
        return type == 6 ? "$6$" + s + "$" + h : "$7$" + iterations + "$" + s + "$" + h;
    }

    /**
     * Constant-time comparison of the hash of {@code password} with this one.
     *
     * @param password what the client sent; bytes are hashed as they are (Mosquitto hashes up to the first NUL, so
     *        a password with a NUL byte that Mosquitto would accept is refused here)
     */
    boolean matches(byte[] password) {
        byte[] computed;
        if (type == 6) {
            computed = Hashing.sha512(password, salt);
        } else {
            try {
                computed = Hashing.pbkdf2(password, salt, iterations);
            } catch (IllegalArgumentException notUtf8) {
                return false;
            }
        }
        return MessageDigest.isEqual(computed, hash);
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }

    /** Never shows the salt or hash, so that logging a parsed entry cannot leak it. */
    @Override
    public String toString() {
        return type == 6 ? "PasswordHash[$6$]" : "PasswordHash[$7$, " + iterations + " iterations]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PasswordHash p && p.type == type && p.iterations == iterations
                && MessageDigest.isEqual(p.salt, salt) && MessageDigest.isEqual(p.hash, hash);
    }

    @Override
    public int hashCode() {
        return type * 31 + iterations;
    }
}
