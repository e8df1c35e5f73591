package io.edgeport.auth.passwd.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Adds, changes and deletes users in a Mosquitto password file, writing entries exactly as mosquitto_passwd 2.0.11
 * does ({@code user:$7$101$<salt>$<hash>\n}). Every other line (comments, blank lines, other users, lines we cannot
 * parse) is kept byte for byte, unlike mosquitto_passwd 2.0.11, which stops at a blank or otherwise "corrupt" line and
 * drops the rest of the file.
 *
 * <p>Writes are atomic: a temporary file in the same directory, flushed to disk, then moved over the original. The
 * original's POSIX permissions are kept; a new file is created 0600. A symbolic link is followed and its target
 * replaced. Calls are serialized per editor; edits by another process at the same moment can be lost (mosquitto_passwd
 * has the same race).
 */
final class PasswordFileEditor {

    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Path file;
    private final SecureRandom random;
    private final int iterations;

    PasswordFileEditor(Path file, SecureRandom random, int iterations) {
        this.file = file;
        this.random = random;
        this.iterations = iterations;
    }

    Path file() {
        return file;
    }

    /**
     * Sets a user's password: replaces the user's first line in place and removes later lines for the same user
     * (they would otherwise win, Mosquitto taking the last), or appends a new line.
     *
     * @return true when the user existed
     * @throws IllegalArgumentException when the username or password is not acceptable ({@link UserInput})
     */
    synchronized boolean setPassword(String username, String password) throws IOException {
        UserInput.checkUsername(username);
        UserInput.checkPassword(password);
        String entry = username + ":" + PasswordHash.pbkdf2(password, iterations, random).format();
        List<byte[]> lines = read();
        List<byte[]> out = new ArrayList<>(lines.size() + 1);
        boolean found = false;
        for (byte[] line : lines) {
            if (username.equals(usernameOf(line))) {
                if (!found) {
                    out.add(entry.getBytes(StandardCharsets.UTF_8));
                    found = true;
                }
            } else {
                out.add(line);
            }
        }
        if (!found) {
            out.add(entry.getBytes(StandardCharsets.UTF_8));
        }
        write(out);
        return found;
    }

    /** Removes every line of the user. @return false (and leaves the file untouched) when the user had none */
    synchronized boolean delete(String username) throws IOException {
        List<byte[]> lines = read();
        List<byte[]> out = new ArrayList<>(lines.size());
        for (byte[] line : lines) {
            if (!username.equals(usernameOf(line))) {
                out.add(line);
            }
        }
        if (out.size() == lines.size()) {
            return false;
        }
        write(out);
        return true;
    }

    private static String usernameOf(byte[] line) {
        return PasswordLine.usernameOf(new String(line, StandardCharsets.UTF_8));
    }

    /** @return the file's lines without '\n'; empty when the file does not exist */
    private List<byte[]> read() throws IOException {
        List<byte[]> lines = new ArrayList<>();
        if (!Files.exists(file)) {
            return lines;
        }
        long size = Files.size(file);
        if (size > PasswordFileParser.MAX_FILE) {
            throw new IOException(file + " is larger than " + PasswordFileParser.MAX_FILE + " bytes; not editing it");
        }
        byte[] all;
        try (InputStream in = Files.newInputStream(file)) {
            all = in.readNBytes((int) PasswordFileParser.MAX_FILE + 1);
        }
        int start = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == '\n') {
                lines.add(java.util.Arrays.copyOfRange(all, start, i));
                start = i + 1;
            }
        }
        if (start < all.length) {
            lines.add(java.util.Arrays.copyOfRange(all, start, all.length));
        }
        return lines;
    }

    /**
     * A replaced file would otherwise belong to our process's user, and a broker running as another user (Mosquitto
     * as root switches to "mosquitto") could no longer read it. Changing the owner needs privileges and the group needs
     * membership: failures leave our own user and group in place.
     */
    private static void keepOwner(Path original, Path tmp) {
        if (!Files.exists(original)) {
            return;
        }
        try {
            PosixFileAttributes a = Files.readAttributes(original, PosixFileAttributes.class);
            PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
            try {
                view.setGroup(a.group());
            } catch (IOException e) {
                // not a member of that group
            }
            try {
                view.setOwner(a.owner());
            } catch (IOException e) {
                // not privileged
            }
        } catch (IOException e) {
            // attributes unreadable: keep ours
        }
    }

    /** The file a (possibly dangling) chain of symbolic links points to; the link itself is left in place. */
    private static Path followLinks(Path path) throws IOException {
        Path p = path;
        for (int i = 0; i < 40 && Files.isSymbolicLink(p); i++) {
            p = p.getParent().resolve(Files.readSymbolicLink(p)).normalize();
        }
        if (Files.isSymbolicLink(p)) {
            throw new IOException("too many levels of symbolic links: " + path);
        }
        return p;
    }

    private void write(List<byte[]> lines) throws IOException {
        Path target = followLinks(file.toAbsolutePath());
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Set<PosixFilePermission> perms = OWNER_ONLY;
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (posix && Files.exists(target)) {
            perms = Files.getPosixFilePermissions(target);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (byte[] line : lines) {
            bytes.write(line);
            bytes.write('\n');
        }
        Path tmp = posix
                ? Files.createTempFile(dir, "." + target.getFileName(), ".tmp",
                        PosixFilePermissions.asFileAttribute(OWNER_ONLY))
                : Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes.toByteArray());
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            if (posix) {
                keepOwner(target, tmp);
                Files.setPosixFilePermissions(tmp, perms);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
