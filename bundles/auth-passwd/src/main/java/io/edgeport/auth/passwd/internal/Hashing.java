package io.edgeport.auth.passwd.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The two Mosquitto 2.0 hash constructions, built from JDK primitives only (src/password_mosq.c, pw__hash):
 * <ul>
 * <li>{@code $6$}: {@code SHA-512(password || salt)}, one round;</li>
 * <li>{@code $7$}: {@code PBKDF2-HMAC-SHA512(password, salt, iterations, 64 bytes)}.</li>
 * </ul>
 * Stateless and thread-safe.
 */
final class Hashing {

    /** Bytes of salt Mosquitto generates and accepts (SALT_LEN). */
    static final int SALT_LENGTH = 12;
    /** Bytes of a SHA-512 digest: the only hash length Mosquitto accepts. */
    static final int HASH_LENGTH = 64;

    private Hashing() {
    }

    static byte[] sha512(byte[] password, byte[] salt) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-512");
            md.update(password);
            md.update(salt);
            return md.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-512 is part of every Java runtime", e);
        }
    }

    /**
     * @param password the password bytes; the JDK's PBKDF2 takes characters and encodes them as UTF-8, so bytes that
     *        are not valid UTF-8 cannot be hashed (they can only come from a client, never from our writer)
     * @throws IllegalArgumentException when the bytes are not valid UTF-8
     */
    static byte[] pbkdf2(byte[] password, byte[] salt, int iterations) {
        char[] chars = utf8(password);
        PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, HASH_LENGTH * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA512 is part of every Java 17 runtime", e);
        } finally {
            spec.clearPassword();
            Arrays.fill(chars, '\0');
        }
    }

    private static char[] utf8(byte[] bytes) {
        try {
            var buffer = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            char[] chars = new char[buffer.remaining()];
            buffer.get(chars);
            Arrays.fill(buffer.array(), '\0');
            return chars;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("password is not valid UTF-8");
        }
    }
}
