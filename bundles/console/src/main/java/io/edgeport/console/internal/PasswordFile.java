package io.edgeport.console.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

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
        if (Files.exists(file)) {
            return read(file);
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        String pw = generate(new SecureRandom());
        // Written to a temporary file first and moved into place, so nobody ever reads a half-written file.
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, ".console-password", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            tmp = Files.createTempFile(dir, ".console-password", ".tmp");
        }
        try {
            Files.writeString(tmp, pw + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            return read(file);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return pw;
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
