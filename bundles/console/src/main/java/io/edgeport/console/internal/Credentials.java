package io.edgeport.console.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The one console account. Keeps only a digest of the password and compares in constant time. Immutable.
 */
final class Credentials {

    private final String username;
    private final byte[] digest;

    Credentials(String username, String password) {
        this.username = username;
        this.digest = sha256(password);
    }

    String username() {
        return username;
    }

    /**
     * @param authorization the value of an HTTP Authorization header, may be null or malformed
     * @return the user name when the header carries this account's Basic credentials, else null
     */
    String check(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return null;
        }
        boolean userOk = MessageDigest.isEqual(sha256(decoded.substring(0, colon)), sha256(username));
        boolean passOk = MessageDigest.isEqual(sha256(decoded.substring(colon + 1)), digest);
        return userOk & passOk ? username : null;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
