package io.edgeport.auth.passwd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

/** The console page with hand-made request/response fakes: CSRF, escaping, validation. */
class UsersPageTest {

    @TempDir
    Path dir;
    private UsersPage page;
    private FileRealm realm;
    private final Map<String, Object> session = new HashMap<>();
    private final Map<String, String> headers = new HashMap<>();
    private int status;
    private StringWriter body;

    @BeforeEach
    void setUp() {
        realm = new FileRealm("main", dir.resolve("passwd"), UserTable.UnknownUser.DENY, 101);
        realm.reloadNow();
        page = new UsersPage();
        page.realms = List.of(realm);
        headers.put("Host", "gw.local:8080");
    }

    private HttpServletRequest request(Map<String, String> params) {
        HttpSession s = (HttpSession) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { HttpSession.class }, (p, m, a) -> switch (m.getName()) {
                    case "getAttribute" -> session.get(a[0]);
                    case "setAttribute" -> session.put((String) a[0], a[1]);
                    case "removeAttribute" -> session.remove(a[0]);
                    default -> null;
                });
        return (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { HttpServletRequest.class }, (p, m, a) -> switch (m.getName()) {
                    case "getSession" -> a != null && a.length == 1 && !(Boolean) a[0] && session.isEmpty() ? null : s;
                    case "getParameter" -> params.get(a[0]);
                    case "getHeader" -> headers.get(a[0]);
                    case "getServerName" -> "gw.local";
                    case "getServerPort" -> 8080;
                    default -> null;
                });
    }

    private HttpServletResponse response() {
        status = 200;
        body = new StringWriter();
        PrintWriter w = new PrintWriter(body);
        return (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { HttpServletResponse.class }, (p, m, a) -> switch (m.getName()) {
                    case "getWriter" -> w;
                    case "sendError" -> {
                        status = (Integer) a[0];
                        yield null;
                    }
                    case "sendRedirect" -> {
                        status = 303;
                        yield null;
                    }
                    default -> null;
                });
    }

    private String render() throws Exception {
        page.renderContent(request(Map.of()), response());
        return body.toString();
    }

    private String token() throws Exception {
        render();
        return (String) session.values().iterator().next();
    }

    /** @return the page shown after the redirect */
    private String post(Map<String, String> params) throws Exception {
        page.doPost(request(params), response());
        int s = status;
        String after = s == 303 ? render() : body.toString();
        status = s;
        return after;
    }

    @Test
    void addsWithValidTokenAndEscapesEverything() throws Exception {
        String t = token();
        String out = post(Map.of("csrf", t, "realm", "main", "action", "set", "username", "<b>x</b>'\"",
                "password", "pw", "password2", "pw"));
        assertThat(status).isEqualTo(303);
        assertThat(out).contains("Added &lt;b&gt;x&lt;/b&gt;").doesNotContain("<b>x</b>");
        assertThat(render()).as("the message is shown once").doesNotContain("Added");
        assertThat(realm.users().usernames()).containsExactly("<b>x</b>'\"");
        assertThat(out).doesNotContain("$7$101$");
    }

    @Test
    void refusesWithoutTokenOrFromAnotherSite() throws Exception {
        post(Map.of("realm", "main", "action", "set", "username", "a", "password", "p", "password2", "p"));
        assertThat(status).isEqualTo(403);
        String t = token();
        headers.put("Origin", "https://evil.example");
        post(Map.of("csrf", t, "realm", "main", "action", "set", "username", "a", "password", "p", "password2", "p"));
        assertThat(status).isEqualTo(403);
        headers.put("Origin", "http://gw.local:8080");
        post(Map.of("csrf", "wrong", "realm", "main", "action", "set", "username", "a", "password", "p",
                "password2", "p"));
        assertThat(status).isEqualTo(403);
        assertThat(realm.users().size()).isZero();
        post(Map.of("csrf", t, "realm", "main", "action", "set", "username", "a", "password", "p", "password2", "p"));
        assertThat(status).isEqualTo(303);
        assertThat(realm.users().usernames()).containsExactly("a");
    }

    @Test
    void validationErrorsAreShownAndNothingIsWritten() throws Exception {
        String t = token();
        String out = post(Map.of("csrf", t, "realm", "main", "action", "set", "username", "a:b", "password", "p",
                "password2", "p"));
        assertThat(status).isEqualTo(303);
        assertThat(out).contains("Not done: username contains &#39;:&#39;");
        out = post(Map.of("csrf", t, "realm", "main", "action", "set", "username", "a", "password", "p",
                "password2", "q"));
        assertThat(out).contains("the two passwords differ");
        out = post(Map.of("csrf", t, "realm", "main", "action", "delete", "username", "ghost"));
        assertThat(out).contains("there is no user ghost");
        assertThat(realm.users().size()).isZero();
    }
}
