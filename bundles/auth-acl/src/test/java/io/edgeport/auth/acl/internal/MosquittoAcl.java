package io.edgeport.auth.acl.internal;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The mosquitto.conf lines, password file (made with the real {@code mosquitto_passwd}) and ACL file of a differential
 * test, for tests/support's {@code MosquittoBroker}. Fails (does not skip) when Mosquitto is not installed.
 */
final class MosquittoAcl {

    static final Path PASSWD = Path.of("/usr/bin/mosquitto_passwd");

    private MosquittoAcl() {
    }

    /** Writes {@code passwd} and {@code acl} into {@code dir}; returns the configuration lines that use them. */
    static String config(Path dir, String acl, Map<String, String> users, boolean allowAnonymous) throws Exception {
        if (!Files.isExecutable(PASSWD)) {
            fail(PASSWD + " is missing: apt-get install -y mosquitto; this test must not be skipped");
        }
        Files.createDirectories(dir);
        Path passwd = dir.resolve("passwd");
        Files.deleteIfExists(passwd);
        boolean first = true;
        for (Map.Entry<String, String> u : users.entrySet()) {
            List<String> cmd = new ArrayList<>(List.of(PASSWD.toString()));
            if (first) {
                cmd.add("-c");
            }
            cmd.addAll(List.of("-b", passwd.toString(), u.getKey(), u.getValue()));
            first = false;
            Process pw = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("passwd.log").toFile()).start();
            if (!pw.waitFor(20, TimeUnit.SECONDS) || pw.exitValue() != 0) {
                pw.destroyForcibly();
                fail("mosquitto_passwd failed for " + u.getKey() + ": " + Files.readString(dir.resolve("passwd.log")));
            }
        }
        Path aclFile = dir.resolve("acl");
        Files.writeString(aclFile, acl, StandardCharsets.UTF_8);
        return "allow_anonymous " + allowAnonymous + "\npassword_file " + passwd + "\nacl_file " + aclFile
                + "\nlog_type error\nlog_type warning\nlog_type notice\nlog_type information\n";
    }
}
