package io.edgeport.features.internal;

import io.edgeport.commons.webconsole.ConsolePage;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.owasp.encoder.Encode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.features.FeatureInfo;
import io.edgeport.api.features.FeatureManager;
import io.edgeport.api.features.Outcome;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.Part;

/**
 * Web Console page "Plugins" (/system/console/edgeport-plugins): the installed features with version, state, health
 * and bundles; the features of the repository folder and those the gateway carries, to install or update; an upload
 * form for a feature archive (.zip: feature JSON + bundle jars). Every change is health-gated by the
 * {@link FeatureManager} and rolled back when it fails; the page says what happened and why, in one line. POST, then
 * redirect (post/redirect/get); POSTs are checked against CSRF ({@link ConsolePage}); removing asks for confirmation first.
 */
@Component(service = jakarta.servlet.Servlet.class, property = { "felix.webconsole.label=" + PluginsPage.LABEL,
        "felix.webconsole.title=Plugins", "felix.webconsole.category=Edgeport" })
public final class PluginsPage extends ConsolePage<Outcome> {

    static final String LABEL = "edgeport-plugins";
    /** Uploads larger than this are refused before they are read to the end. */
    static final long MAX_UPLOAD = 256L * 1024 * 1024;
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PluginsPage.class);

    private final transient FeatureManager manager;

    @Activate
    public PluginsPage(@Reference FeatureManager manager) {
        super(LABEL, "a plugin change");
        this.manager = manager;
    }

    @Override
    protected Outcome unreadable(IllegalStateException e) {
        return Outcome.failed("", "the upload could not be read: " + FeatureFile.firstLine(e));
    }

    @Override
    protected Outcome post(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Outcome outcome;
        try {
            String action = request.getParameter("action");
            if ("install".equals(action)) {
                outcome = manager.install(required(request, "id"));
            } else if ("uninstall".equals(action)) {
                outcome = manager.uninstall(required(request, "name"), "true".equals(request.getParameter("force")));
            } else if ("upload".equals(action)) {
                outcome = upload(request);
            } else {
                outcome = Outcome.failed("", "unknown action");
            }
        } catch (IllegalArgumentException e) {
            outcome = Outcome.failed("", e.getMessage());
        } catch (IllegalStateException | ServletException e) {
            // multipart parsing: too large, or not multipart at all
            outcome = Outcome.failed("", "the upload could not be read: " + FeatureFile.firstLine(e));
        }
        return outcome;
    }

    private static String required(HttpServletRequest request, String name) {
        String v = request.getParameter(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("no " + name + " given");
        }
        return v;
    }

    private Outcome upload(HttpServletRequest request) throws IOException, ServletException {
        Part part = request.getPart("archive");
        if (part == null || part.getSize() == 0) {
            return Outcome.failed("", "choose a feature archive (.zip) to upload");
        }
        if (part.getSize() > MAX_UPLOAD) {
            return Outcome.failed("", "the file is larger than " + MAX_UPLOAD / (1024 * 1024) + " MB");
        }
        String submitted = part.getSubmittedFileName() == null ? "upload" : part.getSubmittedFileName();
        String name = Path.of(submitted.replace('\\', '/')).getFileName().toString().replaceAll("[^A-Za-z0-9._-]",
                "_");
        if (name.isBlank() || name.startsWith(".")) {
            name = "upload" + name;
        }
        Path dir = manager.repository().resolve(".uploads");
        Files.createDirectories(dir);
        Path file = dir.resolve(name);
        try (InputStream in = part.getInputStream()) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return manager.installArchive(file);
        } finally {
            Files.deleteIfExists(file);
            part.delete();
        }
    }

    @Override
    protected void render(HttpServletRequest request, PrintWriter w, String csrfToken, Outcome flash) {
        String token = tokenField(csrfToken);
        if (flash != null) {
            statline(w, flash.message(), !flash.ok());
        }
        w.println("<h2>Installed features</h2>");
        w.println("<table id='installed' class='nicetable'><thead><tr><th>Feature</th><th>Version</th><th>State</th>"
                + "<th>Health</th><th>Bundles</th><th></th></tr></thead><tbody>");
        for (FeatureInfo f : manager.installed()) {
            boolean builtIn = f.state().startsWith("built in");
            w.println("<tr data-feature='" + Encode.forHtmlAttribute(f.name()) + "'><td title='"
                    + Encode.forHtmlAttribute(f.description()) + "'>" + Encode.forHtml(f.title()) + "<br><code>"
                    + Encode.forHtml(f.name()) + "</code></td><td>" + Encode.forHtml(f.version()) + "</td><td>"
                    + Encode.forHtml(f.state()) + "</td><td>" + Encode.forHtml(f.health()) + "</td><td><details>"
                    + "<summary>" + f.bundles().size() + " bundle(s)</summary>" + list(f.bundles())
                    + "</details></td><td>");
            if (!builtIn) {
                w.println("<form method='post' onsubmit=\"return confirm('Remove the feature "
                        + Encode.forJavaScriptAttribute(f.name()) + " and its bundles?')\">"
                        + token
                        + "<input type='hidden' name='action' value='uninstall'>"
                        + "<input type='hidden' name='name' value='" + Encode.forHtmlAttribute(f.name()) + "'>"
                        + "<button type='submit'>Uninstall</button> <label title='Remove it even when other bundles"
                        + " use its bundles'><input type='checkbox' name='force' value='true'> even if needed</label>"
                        + "</form>");
            }
            w.println("</td></tr>");
        }
        w.println("</tbody></table>");

        w.println("<h2>Available</h2>");
        List<FeatureInfo> available = manager.available();
        w.println("<table id='available' class='nicetable'><thead><tr><th>Feature</th><th>Version</th><th>State</th>"
                + "<th></th></tr></thead><tbody>");
        for (FeatureInfo f : available) {
            boolean current = f.state().startsWith("installed");
            w.println("<tr data-feature='" + Encode.forHtmlAttribute(f.name()) + "'><td title='"
                    + Encode.forHtmlAttribute(f.description()) + "'>" + Encode.forHtml(f.title()) + "<br><code>"
                    + Encode.forHtml(f.id()) + "</code></td><td>" + Encode.forHtml(f.version()) + "</td><td>"
                    + Encode.forHtml(f.state()) + "</td><td>");
            if (!current) {
                w.println("<form method='post'>" + token
                        + "<input type='hidden' name='action' value='install'>"
                        + "<input type='hidden' name='id' value='" + Encode.forHtmlAttribute(f.id()) + "'>"
                        + "<button type='submit'>" + (f.state().startsWith("update") ? "Update" : "Install")
                        + "</button></form>");
            }
            w.println("</td></tr>");
        }
        if (available.isEmpty()) {
            w.println("<tr><td colspan='4'>No features in the repository folder.</td></tr>");
        }
        w.println("</tbody></table>");
        w.println("<p>Repository folder: <code>" + Encode.forHtml(manager.repository().toString()) + "</code> (feature"
                + " JSON files and their bundle jars).</p>");

        w.println("<h2>Upload a feature</h2>");
        w.println("<form id='upload' method='post' enctype='multipart/form-data'>"
                + token
                + "<input type='hidden' name='action' value='upload'>"
                + "<input type='file' name='archive' accept='.zip,.json'> "
                + "<button type='submit'>Install</button></form>");
        w.println("<p>A feature archive is a .zip holding one OSGi feature JSON and its bundle jars. The feature is"
                + " installed (or updated) as a unit and must become healthy within the configured time, otherwise"
                + " the previous state is restored.</p>");
    }

    private static String list(List<String> items) {
        StringBuilder b = new StringBuilder("<ul>");
        for (String s : items) {
            b.append("<li>").append(Encode.forHtml(s)).append("</li>");
        }
        return b.append("</ul>").toString();
    }
}
