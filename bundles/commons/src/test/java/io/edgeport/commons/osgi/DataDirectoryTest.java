package io.edgeport.commons.osgi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class DataDirectoryTest {

    private static final Path CWD = Path.of("").toAbsolutePath();

    @Test
    void theFrameworkPropertyOrDataBesideTheWorkingDirectory() {
        assertThat(DataDirectory.of(null)).isEqualTo(CWD.resolve("data"));
        assertThat(DataDirectory.of("  ")).isEqualTo(CWD.resolve("data"));
        assertThat(DataDirectory.of(" /var/lib/edgeport ")).isEqualTo(Path.of("/var/lib/edgeport"));
        assertThat(DataDirectory.of("run/../state")).isEqualTo(CWD.resolve("state"));
    }

    @Test
    void theTokenInAConfiguredPathStandsForIt() {
        assertThat(DataDirectory.resolve("${edgeport.data}/acl", "${edgeport.data}/x", "/var/lib/edgeport"))
                .isEqualTo(Path.of("/var/lib/edgeport/acl"));
        assertThat(DataDirectory.resolve(" ", "${edgeport.data}/passwd", null)).isEqualTo(CWD.resolve("data/passwd"));
        assertThat(DataDirectory.resolve("/etc/mosquitto/acl", "${edgeport.data}/acl", "/var/lib/edgeport"))
                .isEqualTo(Path.of("/etc/mosquitto/acl"));
    }
}
