package com.figureforge.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.devstack.oidc.OidcIssuer;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** What browser tests of the web client do again and again: sign in as a person would, wait, click. */
final class BrowserSteps {

    private final WebDriver browser;

    BrowserSteps(WebDriver browser) {
        this.browser = browser;
    }

    /** Signs in through the issuer's login page (any name is a user) from the page at {@code app}. */
    void signIn(String app, OidcIssuer issuer, String username) {
        browser.get(app + "#gallery");
        visible(By.id("view-gallery"));
        click(By.id("sign-in"));
        waitUntil(d -> d.getCurrentUrl().startsWith(issuer.issuerUri()), Duration.ofSeconds(20));
        browser.findElement(By.name("username")).sendKeys(username);
        browser.findElement(By.cssSelector("input[type=submit]")).click();
        waitUntil(d -> d.getCurrentUrl().startsWith(app), Duration.ofSeconds(20));
        waitUntil(d -> d.findElement(By.id("who")).getText().contains(username), Duration.ofSeconds(20));
    }

    WebElement visible(By locator) {
        return new WebDriverWait(browser, Duration.ofSeconds(20))
                .until(ExpectedConditions.visibilityOfElementLocated(locator));
    }

    void click(By locator) {
        new WebDriverWait(browser, Duration.ofSeconds(20))
                .until(ExpectedConditions.elementToBeClickable(locator))
                .click();
    }

    void waitUntil(Function<WebDriver, Boolean> condition, Duration timeout) {
        new WebDriverWait(browser, timeout).pollingEvery(Duration.ofMillis(100)).until(condition::apply);
    }

    /** Nothing the page did was refused by its CSP, and no script failed. */
    void assertNoConsoleErrors() {
        List<String> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(message -> message.contains("Content Security Policy")
                        || message.contains("Uncaught")
                        || message.contains("module script"))
                .toList();
        assertThat(errors).isEmpty();
    }
}
