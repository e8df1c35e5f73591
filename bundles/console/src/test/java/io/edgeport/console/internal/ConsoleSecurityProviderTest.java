package io.edgeport.console.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.annotation.Annotation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;

import io.edgeport.testsupport.DataDirectoryContext;

/**
 * The console account: a configured password shorter than 12 characters keeps a console that never had an account
 * locked, and leaves the account in force when it comes as a change (an operator must not lock himself out).
 */
class ConsoleSecurityProviderTest {

    @TempDir
    Path dir;

    private BundleContext context() {
        return DataDirectoryContext.of(dir);
    }

    private static ConsoleSecurityConfig config(String user, String password) {
        return new ConsoleSecurityConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return ConsoleSecurityConfig.class;
            }

            @Override
            public String username() {
                return user;
            }

            @Override
            public String password() {
                return password;
            }
        };
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aShortPasswordLeavesTheAccountInForceOrKeepsANewConsoleLocked() throws Exception {
        assertThatThrownBy(() -> new ConsoleSecurityProvider(context(), config("admin", "short")))
                .hasMessageContaining("password: shorter than 12 characters").hasMessageContaining("stays locked");

        ConsoleSecurityProvider p = new ConsoleSecurityProvider(context(), config("admin", "a-long-password-1"));
        try {
            p.modified(config("admin", "short"));
            assertThat(p.credentials().check(basic("admin", "a-long-password-1"))).as("the account in force stays").isEqualTo(
                    "admin");
            p.modified(config("ops", "another-long-password"));
            assertThat(p.credentials().check(basic("admin", "a-long-password-1"))).isNull();
            assertThat(p.credentials().check(basic("ops", "another-long-password"))).isEqualTo("ops");
        } finally {
            p.deactivate();
        }
    }
}
