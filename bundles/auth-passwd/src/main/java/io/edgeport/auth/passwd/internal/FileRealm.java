package io.edgeport.auth.passwd.internal;

import io.edgeport.commons.text.Printable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.auth.AuthResult;
import io.edgeport.api.auth.Authenticator;
import io.edgeport.api.auth.ConnectRequest;

/**
 * A password file and the users it held when last read: the authenticator answers from an immutable {@link UserTable}
 * behind a volatile reference, so CONNECTs never wait for I/O or locks.
 *
 * <p>Reloading ({@link #poll}, called every few seconds): a change of size, modification time or file identity is
 * read once it has been stable for one poll (mosquitto_passwd rewrites the file in place, not atomically, so a
 * half-written file is not picked up). Bad lines are skipped and logged with file:line, as the Mosquitto broker does.
 * The last good table is kept when the file cannot be read, is too large, disappears, or has entries of which none is
 * valid (more likely a broken edit than the intent to lock everybody out); the reason is logged. Our own edits
 * ({@link #setPassword}, {@link #delete}) reload at once.
 */
final class FileRealm implements Authenticator, Realm {

    private static final Logger LOG = LoggerFactory.getLogger(FileRealm.class);

    /** What identifies one version of the file. */
    private record Stamp(Object fileKey, FileTime modified, long size) {
    }

    private static final Stamp MISSING = new Stamp("missing", null, -1);

    private final String name;
    private final Path file;
    private final UserTable.UnknownUser unknown;
    private final PasswordFileEditor editor;
    private volatile UserTable table = UserTable.EMPTY;
    private volatile List<String> problems = List.of();
    // Guarded by this: the reload state machine.
    private Stamp loaded;
    private Stamp pending;

    FileRealm(String name, Path file, UserTable.UnknownUser unknown, int iterations) {
        this.name = Objects.requireNonNull(name);
        this.file = file.toAbsolutePath();
        this.unknown = unknown;
        this.editor = new PasswordFileEditor(this.file, new SecureRandom(), iterations);
    }

    @Override
    public AuthResult authenticate(ConnectRequest request) {
        return table.authenticate(request, unknown);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public UserTable users() {
        return table;
    }

    @Override
    public List<String> problems() {
        return problems;
    }

    @Override
    public boolean setPassword(String username, String password) throws IOException {
        boolean existed = editor.setPassword(username, password);
        LOG.info("Realm '{}': {} user '{}' in {}", name, existed ? "changed the password of" : "added",
                Printable.of(username), file);
        reloadNow();
        return existed;
    }

    @Override
    public boolean delete(String username) throws IOException {
        boolean existed = editor.delete(username);
        if (existed) {
            LOG.info("Realm '{}': deleted user '{}' from {}", name, Printable.of(username), file);
            reloadNow();
        }
        return existed;
    }

    /** Reads the file at once, without waiting for it to be stable (start-up and our own edits). */
    synchronized void reloadNow() {
        pending = null;
        load(stamp());
    }

    /** One poll: loads a changed file once it has stayed the same since the previous poll. */
    synchronized void poll() {
        Stamp now = stamp();
        if (now.equals(loaded)) {
            pending = null;
            return;
        }
        if (now.equals(pending)) {
            pending = null;
            load(now);
        } else {
            pending = now;
        }
    }

    private void load(Stamp stamp) {
        boolean first = loaded == null;
        loaded = stamp;
        if (stamp == MISSING) {
            if (first) {
                LOG.error("Realm '{}': password file {} does not exist; no users until it is created", name, file);
            } else {
                LOG.error("Realm '{}': password file {} has disappeared; keeping the {} users read before", name,
                        file, table.size());
            }
            return;
        }
        ParseResult result;
        try {
            result = PasswordFileParser.parse(file);
        } catch (IOException e) {
            LOG.error("Realm '{}': cannot read {} ({}); keeping the {} users read before", name, file, e.toString(),
                    table.size());
            return;
        }
        result.problems().forEach(p -> LOG.warn("Realm '{}': {}", name, p));
        problems = result.problems();
        if (result.allEntriesRejected() && !first) {
            LOG.error("Realm '{}': none of the {} entries in {} is valid; keeping the {} users read before", name,
                    result.entryLines(), file, table.size());
            return;
        }
        table = new UserTable(result.users());
        LOG.info("Realm '{}': {} users from {}{}", name, result.users().size(), file,
                result.problems().isEmpty() ? "" : " (" + result.problems().size() + " problem lines skipped)");
    }

    private Stamp stamp() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(a.fileKey(), a.lastModifiedTime(), a.size());
        } catch (NoSuchFileException e) {
            return MISSING;
        } catch (IOException e) {
            // Unreadable attributes: treat like a change so that load() reports the real error.
            return new Stamp(e.toString(), null, -2);
        }
    }
}
