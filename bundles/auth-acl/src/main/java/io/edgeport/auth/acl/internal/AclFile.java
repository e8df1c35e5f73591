package io.edgeport.auth.acl.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One acl_file and its last good model. {@link #model()} is a volatile read of an immutable model: lock free for
 * the broker threads. {@link #refresh()} is called from one thread at a time (the poller) and parses only when the
 * file's size, modification time or file key changed, so an unchanged bad file is reported once, not every poll.
 *
 * <p>On a bad or missing file the last good model stays in force and the error is logged with file:line. Before
 * the first good parse the model is {@link AclModel#NONE}, which denies everything (Mosquitto refuses to start).
 */
final class AclFile {

    private static final Logger LOG = LoggerFactory.getLogger(AclFile.class);

    private final Path path;
    private volatile AclModel model = AclModel.NONE;
    private Object stamp;

    AclFile(Path path) {
        this.path = path;
    }

    Path path() {
        return path;
    }

    AclModel model() {
        return model;
    }

    /** @return true when a new model was applied */
    synchronized boolean refresh() {
        Object now;
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            now = java.util.List.of(a.size(), a.lastModifiedTime(), String.valueOf(a.fileKey()));
        } catch (NoSuchFileException e) {
            now = "missing";
        } catch (IOException e) {
            now = "unreadable: " + e;
        }
        if (Objects.equals(now, stamp)) {
            return false;
        }
        stamp = now;
        try {
            AclModel parsed = AclParser.parse(path);
            model = parsed;
            LOG.info("ACL file {} loaded: {} users, {} rules", path, parsed.users().size(), parsed.ruleCount());
            return true;
        } catch (AclParseException e) {
            LOG.error("ACL file error, {}: {}", keeping(), e.getMessage());
        } catch (NoSuchFileException e) {
            LOG.error("ACL file {} does not exist, {}", path, keeping());
        } catch (IOException e) {
            LOG.error("ACL file {} cannot be read ({}), {}", path, e.toString(), keeping());
        }
        return false;
    }

    private String keeping() {
        return model.loaded() ? "keeping the last good rules" : "denying everything until it can be loaded";
    }
}
