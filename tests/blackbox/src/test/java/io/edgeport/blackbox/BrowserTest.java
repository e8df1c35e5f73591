package io.edgeport.blackbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console's Plugins page in a real browser (headless Chromium driven by Selenium, the Debian packages
 * {@code chromium} and {@code chromium-driver}), as an operator clicks through it: upload a good feature, an update of
 * it that cannot resolve (rolled back, the previous version serves), a file that is no feature, then remove the
 * feature (the browser asks first; cancelling keeps it). Screenshots of each step go to
 * {@code target/screenshots/}.
 */
class BrowserTest {

    static final Path DRIVER = Path.of(System.getProperty("edgeport.test.chromedriver", "/usr/bin/chromedriver"));
    static final Path CHROMIUM = Path.of(System.getProperty("edgeport.test.chromium", "/usr/lib/chromium/chromium"));
    static final Path SHOTS = Path.of("target", "screenshots");

    final Path dir = Path.of("target", "browser-" + System.nanoTime());
    Gateway gw;
    WebDriver browser;
    int shot;

    @BeforeEach
    void start() throws Exception {
        assertThat(DRIVER).as("chromedriver (Debian: apt-get install chromium chromium-driver)").isExecutable();
        assertThat(CHROMIUM).as("chromium (Debian: apt-get install chromium chromium-driver)").isExecutable();
        gw = new Gateway(Files.createDirectories(dir)).start();
        new Console(gw).awaitUp();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--window-size=1400,1100");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        Files.createDirectories(SHOTS);
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (gw != null) {
            gw.saveLog("browser");
            gw.close();
        }
    }

    private void screenshot(String what) throws IOException {
        Path png = browser instanceof ChromeDriver c ? c.getScreenshotAs(OutputType.FILE).toPath() : null;
        if (png != null) {
            Files.copy(png, SHOTS.resolve(String.format("plugins-%02d-%s.png", ++shot, what)),
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private WebDriverWait waiting() {
        return new WebDriverWait(browser, Duration.ofSeconds(60));
    }

    /** Opens the page as admin (HTTP Basic credentials in the URL: the browser keeps them for the origin). */
    private void open() throws IOException {
        String password = URLEncoder.encode(gw.consolePassword(), StandardCharsets.UTF_8);
        browser.get(gw.consoleUrl("/edgeport-plugins").replace("http://", "http://admin:" + password + "@"));
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("installed")));
    }

    /** Chooses {@code file} in the upload form, submits it and returns the outcome line that the page shows. */
    private String upload(Path file) {
        WebElement input = browser.findElement(By.cssSelector("#upload input[type=file]"));
        input.sendKeys(file.toAbsolutePath().toString());
        browser.findElement(By.cssSelector("#upload button[type=submit]")).click();
        return outcome();
    }

    private String outcome() {
        WebElement line = waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("outcome")));
        return (line.getAttribute("class").contains("error") ? "ERROR " : "OK ") + line.getText();
    }

    private List<String> installedFeatures() {
        return browser.findElements(By.cssSelector("#installed tr[data-feature]")).stream()
                .map(r -> r.getAttribute("data-feature") + " " + r.findElements(By.tagName("td")).get(1).getText())
                .toList();
    }

    private static byte[] feature(String version, Map<String, String> headers) throws IOException {
        String json = """
                { "feature-resource-version": "1.0", "id": "io.edgeport.demo:browser-demo:%s",
                  "name": "Browser demo", "description": "A feature uploaded in the browser test",
                  "bundles": [ { "id": "io.edgeport.demo:io.edgeport.demo.plugin:%s" } ] }
                """.formatted(version, version);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("browser-demo.json"));
            z.write(json.getBytes(StandardCharsets.UTF_8));
            z.putNextEntry(new ZipEntry("io.edgeport.demo.plugin-" + version + ".jar"));
            z.write(Console.bundle("io.edgeport.demo.plugin", version, headers));
        }
        return out.toByteArray();
    }

    @Test
    void anOperatorUploadsAGoodFeatureABrokenUpdateAndAStrayFileThenRemovesTheFeature() throws Exception {
        Path good = Files.write(dir.resolve("browser-demo-1.0.0.zip"), feature("1.0.0", Map.of()));
        Path broken = Files.write(dir.resolve("browser-demo-1.1.0.zip"),
                feature("1.1.0", Map.of("Import-Package", "org.example.missing.dep")));
        Path stray = Files.writeString(dir.resolve("holiday-photos.zip"), "this is not an archive at all");

        open();
        assertThat(browser.getTitle()).isNotBlank();
        assertThat(installedFeatures()).contains("broker-core 0.1.0-SNAPSHOT", "telemetry 0.1.0-SNAPSHOT");
        screenshot("start");

        assertThat(upload(good)).startsWith("OK browser-demo 1.0.0 installed");
        assertThat(installedFeatures()).contains("browser-demo 1.0.0");
        screenshot("installed");

        String rolledBack = upload(broken);
        assertThat(rolledBack).startsWith("ERROR browser-demo 1.1.0 rolled back to 1.0.0")
                .contains("missing package org.example.missing.dep");
        assertThat(installedFeatures()).as("the previous version serves").contains("browser-demo 1.0.0");
        screenshot("rolled-back");

        String refused = upload(stray);
        assertThat(refused).startsWith("ERROR").contains("holiday-photos.zip").contains("not a feature archive");
        assertThat(browser.getPageSource()).doesNotContain("HTTP ERROR").doesNotContain("Exception");
        screenshot("stray-file");

        // Uninstall asks first: cancelling keeps the feature.
        By uninstall = By.cssSelector("#installed tr[data-feature='browser-demo'] button[type=submit]");
        browser.findElement(uninstall).click();
        assertThat(waiting().until(ExpectedConditions.alertIsPresent()).getText())
                .contains("Remove the feature browser-demo");
        browser.switchTo().alert().dismiss();
        assertThat(installedFeatures()).contains("browser-demo 1.0.0");

        browser.findElement(uninstall).click();
        waiting().until(ExpectedConditions.alertIsPresent()).accept();
        assertThat(outcome()).startsWith("OK browser-demo").contains("uninstalled");
        assertThat(installedFeatures()).noneMatch(f -> f.startsWith("browser-demo"));
        screenshot("uninstalled");

        assertThat(gw.log()).as("no stack trace in the gateway's log").doesNotContain("\tat ");
    }
}
