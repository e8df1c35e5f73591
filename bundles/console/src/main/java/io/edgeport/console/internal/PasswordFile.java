package io.edgeport.console.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;

/**
 * The generated console password: created once with 128 bits of randomness, readable by the owner only, and read
 * back on later starts. A file that exists but is empty or unreadable is an error, never silently replaced.
 */
final class PasswordFile {

    private static final char[] ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789".toCharArray();
    static final int LENGTH = 22;

    private PasswordFile() {
    }

    /** @return the password stored in {@code file}, creating the file with a new password when it does not exist */
    static String readOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            Files.createDirectories(file.toAbsolutePath().getParent());
            String pw = generate(new SecureRandom());
            Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(ownerOnly));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            } catch (FileAlreadyExistsException e) {
                return read(file);
            }
            Files.writeString(file, pw + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
            return pw;
        }
        return read(file);
    }

    private static String read(Path file) throws IOException {
        String pw = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (pw.isEmpty()) {
            throw new IOException("console password file " + file + " is empty: delete it to generate a new one");
        }
        return pw;
    }

    static String generate(SecureRandom random) {
        char[] c = new char[LENGTH];
        for (int i = 0; i < c.length; i++) {
            c[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(c);
    }
}
