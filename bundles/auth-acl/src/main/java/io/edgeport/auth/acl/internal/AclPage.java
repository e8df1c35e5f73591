package io.edgeport.auth.acl.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.owasp.encoder.Encode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.auth.Authorizer;
import io.edgeport.commons.webconsole.ConsolePage;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Web Console page "MQTT ACL" (/system/console/edgeport-acl): each ACL authorizer's acl_file in an editor. Saving
 * parses the text with the authorizer's own parser (Mosquitto 2.0.11's rules) first: an error is shown as
 * {@code file:line: reason} with the text kept and nothing written; a good file replaces the old one atomically
 * (owner-only permissions) and is applied through the authorizer's usual reload path at once. POSTs are checked
 * against CSRF by {@link ConsolePage}; every value written into the page is HTML-encoded.
 */
@Component(service = jakarta.servlet.Servlet.class, property = { "felix.webconsole.label=" + AclPage.LABEL,
        "felix.webconsole.title=MQTT ACL", "felix.webconsole.category=Edgeport" })
public final class AclPage extends ConsolePage<AclPage.Flash> {

    static final String LABEL = "edgeport-acl";
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(AclPage.class);

    /** The outcome of the last POST of this session, shown once; {@code text}: what was entered when refused. */
    record Flash(String info, String error, String file, String text) {
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    transient volatile List<Authorizer> authorizers;

    public AclPage() {
        super(LABEL, "a change of the ACL");
    }

    private List<AclAuthorizer> acls() {
        List<AclAuthorizer> out = new ArrayList<>();
        List<Authorizer> all = authorizers;
        if (all != null) {
            for (Authorizer a : all) {
                if (a instanceof AclAuthorizer acl) {
                    out.add(acl);
                }
            }
        }
        out.sort(Comparator.comparing(a -> a.file().path()));
        return out;
    }

    /**
     * Checks {@code text} and, when it parses, writes it to the authorizer's file and applies it.
     *
     * @return the outcome for the page
     */
    static Flash save(AclFile file, String text) {
        Path path = file.path();
        if (text == null) {
            return new Flash(null, "No text was sent.", path.toString(), "");
        }
        String normalized = text.replace("\r\n", "\n");
        if (!normalized.isEmpty() && !normalized.endsWith("\n")) {
            normalized += "\n";
        }
        AclModel model;
        try {
            model = AclParser.parse(new StringReader(normalized), path.toString());
        } catch (AclParseException e) {
            return new Flash(null, "Not saved: " + e.getMessage(), path.toString(), text);
        } catch (IOException e) {
            return new Flash(null, "Not saved: " + e.getMessage(), path.toString(), text);
        }
        try {
            Path tmp = path.resolveSibling("." + path.getFileName() + ".edit");
            Files.writeString(tmp, normalized, StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
            try {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.warn("Web console: the ACL file {} could not be written: {}", path, e.toString());
            return new Flash(null, "Not saved: the file could not be written (" + e.getMessage() + ").",
                    path.toString(), text);
        }
        file.refresh(); // the authorizer's own reload path, now rather than at its next check
        LOG.info("Web console: ACL file {} saved: {} users, {} rules", path, model.users().size(), model.ruleCount());
        return new Flash("Saved " + path + ": " + model.users().size() + " users, " + model.ruleCount()
                + " rules, in force now.", null, path.toString(), null);
    }

    @Override
    protected Flash post(HttpServletRequest request, HttpServletResponse response) {
        String which = request.getParameter("file");
        Flash flash = null;
        for (AclAuthorizer a : acls()) {
            if (a.file().path().toString().equals(which)) {
                flash = save(a.file(), request.getParameter("text"));
            }
        }
        return flash != null ? flash : new Flash(null, "No ACL authorizer uses that file any more.", which, null);
    }

    @Override
    protected void render(HttpServletRequest request, PrintWriter w, String token, Flash flash) {
        if (flash != null) {
            statline(w, flash.info(), false);
            statline(w, flash.error(), true);
        }
        List<AclAuthorizer> acls = acls();
        if (acls.isEmpty()) {
            w.println("<p>No ACL authorizer is configured. Create a configuration of the factory "
                    + Encode.forHtml(AclConfig.PID) + " first.</p>");
            return;
        }
        w.println("<p>Mosquitto 2.0 acl_file syntax: <code>user NAME</code>, <code>topic [read|write|readwrite|deny]"
                + " FILTER</code>, <code>pattern [read|write|readwrite|deny] FILTER</code> with <code>%c</code>"
                + " (client id) and <code>%u</code> (username). The text is checked before it is saved; a saved file"
                + " is in force at once. The file is also reloaded when edited outside the console.</p>");
        for (AclAuthorizer a : acls) {
            Path path = a.file().path();
            String text;
            if (flash != null && flash.text() != null && path.toString().equals(flash.file())) {
                text = flash.text(); // what the operator typed, to correct
            } else {
                try {
                    text = Files.readString(path, StandardCharsets.UTF_8);
                } catch (NoSuchFileException e) {
                    text = "";
                } catch (IOException e) {
                    text = "";
                    w.println("<p class='statline ui-state-error'>" + Encode.forHtml(path + " cannot be read: "
                            + e.getMessage()) + "</p>");
                }
            }
            AclModel m = a.file().model();
            w.println("<h2>" + Encode.forHtml(path.toString()) + "</h2><p>In force: " + (m.loaded() ? m.users()
                    .size() + " users, " + m.ruleCount() + " rules" : "nothing (the file never loaded: everything"
                    + " is denied)") + "</p>");
            w.println("<form method='post' class='acl-form'>" + tokenField(token) + "<input type='hidden' name='file' value='"
                    + Encode.forHtmlAttribute(path.toString()) + "'><textarea name='text' rows='24' cols='100'"
                    + " spellcheck='false' style='font-family:monospace;width:100%'>" + Encode.forHtmlContent(text)
                    + "</textarea><p><button type='submit'>Check and save</button></p></form>");
        }
    }
}
