package com.figureforge.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, which {@code .ci/run}
 * installs) for every browser test in the JVM: a browser start is slow on two cores. It quits when the
 * JVM exits. Without the browser a test fails under {@code CI=true} and is skipped, saying why, elsewhere.
 */
final class HeadlessChromium {

    static final Path BROWSER = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    /** Written by the tests, linked from the README. */
    static final Path SCREENSHOTS = Path.of("..", "docs", "screenshots");

    private static ChromeDriver shared;

    private HeadlessChromium() {}

    static synchronized WebDriver shared() {
        if (shared == null) {
            requireInstalled();
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(DRIVER.toFile())
                    .usingAnyFreePort()
                    .build();
            ChromeOptions options = new ChromeOptions()
                    .setBinary(BROWSER.toFile())
                    .addArguments(
                            "--headless=new",
                            "--no-sandbox",
                            "--disable-dev-shm-usage",
                            "--disable-gpu",
                            "--window-size=1280,900",
                            "--lang=en-US");
            // The browser console (CSP violations, script errors) for the tests to read.
            options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
            Runtime.getRuntime().addShutdownHook(new Thread(driver::quit, "chromium-quit"));
            shared = driver;
        }
        return shared;
    }

    private static void requireInstalled() {
        if (Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER)) {
            return;
        }
        String message = "The browser tests need " + BROWSER + " and " + DRIVER
                + " (apt-get install -y chromium chromium-driver; .ci/run installs them).";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message);
        }
        Assumptions.abort(message);
    }

    /** Saves what the browser shows as {@code docs/screenshots/<name>.png}. */
    static void screenshot(WebDriver browser, String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Files.write(
                    SCREENSHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits (up to 20 s) until the element is shown. */
    static WebElement visible(WebDriver browser, By locator) {
        return new WebDriverWait(browser, Duration.ofSeconds(20))
                .until(ExpectedConditions.visibilityOfElementLocated(locator));
    }

    /** Waits (up to 20 s) until the element can be clicked, and clicks it. */
    static void click(WebDriver browser, By locator) {
        new WebDriverWait(browser, Duration.ofSeconds(20))
                .until(ExpectedConditions.elementToBeClickable(locator))
                .click();
    }

    static void waitUntil(WebDriver browser, Function<WebDriver, Boolean> condition, Duration timeout) {
        new WebDriverWait(browser, timeout).pollingEvery(Duration.ofMillis(100)).until(condition::apply);
    }

    /**
     * Nothing the page did was refused by its CSP, and no script failed. (Refusals the test provoked, such
     * as a 422, are logged as failed loads: those are not errors of the page.)
     */
    static void assertNoConsoleErrors(WebDriver browser) {
        List<String> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(message -> message.contains("Content Security Policy")
                        || message.contains("Uncaught")
                        || message.contains("module script"))
                .toList();
        assertThat(errors).isEmpty();
    }
}
