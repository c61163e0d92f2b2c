package com.figureforge.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.UserRepository;
import com.figureforge.devstack.fal.FalEmulator;
import com.figureforge.devstack.oidc.OidcIssuer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The web client in a real headless Chromium against the local stack: sign-in through the issuer's login
 * page, composing and following a job, the lightbox, My images, the public gallery's paging. Each test
 * writes screenshots of what it saw to {@code docs/screenshots/}.
 */
@FigureForgeE2E
class WebClientBrowserTest {

    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(60);

    @LocalServerPort
    int port;

    @Autowired
    OidcIssuer issuer;

    @Autowired
    FalEmulator fal;

    @Autowired
    UserRepository users;

    WebDriver browser;
    String app;

    @BeforeEach
    void setUp() {
        browser = HeadlessChromium.shared();
        // A fresh page (and so no tokens): a URL that differs only in its #fragment would not reload.
        browser.get("about:blank");
        browser.manage().window().setSize(new Dimension(1280, 900));
        // localhost, not 127.0.0.1: the sign-in comes back to this origin.
        app = "http://localhost:" + port + "/";
        fal.resetFaults();
    }

    @Test
    void anArtistSignsInComposesWatchesTheJobOpensTheImageAndFindsItInMyImages() {
        String username = "artist-" + UUID.randomUUID().toString().substring(0, 8);
        browser.get(app + "#gallery");
        visible(By.id("view-gallery"));
        click(By.id("sign-in"));

        // The issuer's interactive login page takes any name.
        waitUntil(d -> d.getCurrentUrl().startsWith(issuer.issuerUri()), Duration.ofSeconds(20));
        browser.findElement(By.name("username")).sendKeys(username);
        browser.findElement(By.cssSelector("input[type=submit]")).click();

        waitUntil(d -> d.getCurrentUrl().startsWith(app), Duration.ofSeconds(20));
        waitUntil(d -> d.findElement(By.id("who")).getText().contains(username), Duration.ofSeconds(20));
        assertThat(browser.getCurrentUrl()).doesNotContain("code=").doesNotContain("state=");

        click(By.cssSelector("a[data-nav=compose]"));
        visible(By.id("view-compose"));
        waitUntil(d -> d.findElement(By.id("quota")).getText().contains("left of 10"), Duration.ofSeconds(20));
        assertThat(browser.findElement(By.id("quota")).getText()).contains("Free plan", "1 image per job");

        new Select(browser.findElement(By.id("control-pose"))).selectByValue("contrapposto");
        new Select(browser.findElement(By.id("control-style"))).selectByValue("sketch");
        new Select(browser.findElement(By.id("control-lighting"))).selectByValue("rim");
        click(By.cssSelector("label[for='aspect-3-4']"));
        assertThat(browser.findElement(By.id("control-pose-hint")).getText()).contains("contrapposto");
        assertThat(browser.findElement(By.id("preview-text")).getText())
                .contains("standing in contrapposto", "pencil sketch", "Aspect ratio 3:4");
        HeadlessChromium.screenshot(browser, "compose");

        // A refusal (problem JSON 422 prompt_not_allowed) is shown in plain words, and costs nothing.
        browser.findElement(By.id("prompt")).sendKeys("nude");
        click(By.id("generate"));
        WebElement problem = visible(By.id("compose-problem"));
        assertThat(problem.getText()).contains("contains words FigureForge does not accept");
        HeadlessChromium.screenshot(browser, "compose-problem");
        // Deleted as a person would (clear() fires no input event): the preview follows.
        browser.findElement(By.id("prompt")).sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
        assertThat(browser.findElement(By.id("preview-text")).getText()).doesNotContain("nude");

        click(By.id("generate"));
        visible(By.id("job"));
        HeadlessChromium.screenshot(browser, "progress");
        List<String> seen = new ArrayList<>();
        waitUntil(
                d -> {
                    WebElement status = d.findElement(By.id("job-status"));
                    String text = status.getText();
                    if (seen.isEmpty() || !seen.getLast().equals(text)) {
                        seen.add(text);
                    }
                    return "succeeded".equals(status.getDomAttribute("data-status"));
                },
                JOB_TIMEOUT);
        assertThat(browser.findElement(By.id("job-status")).getText()).isEqualTo("Done: 1 image ready.");
        assertThat(seen.size()).as("the states shown: %s", seen).isGreaterThan(1);
        assertThat(browser.findElement(By.id("job-cost")).getText()).isEqualTo("1 image charged to your quota.");
        WebElement thumb = visible(By.cssSelector("#job-images .thumb"));
        String imageId = thumb.getDomAttribute("data-image-id");
        assertThat(imageId).isNotBlank();
        HeadlessChromium.screenshot(browser, "job-done");

        thumb.click();
        visible(By.id("lightbox"));
        // The full image loads from the bucket's presigned link: the CSP lets it in.
        waitUntil(
                d -> (Boolean) ((JavascriptExecutor) d)
                        .executeScript("const i = document.getElementById('lightbox-image');"
                                + " return i.complete && i.naturalWidth > 0;"),
                Duration.ofSeconds(20));
        String request = browser.findElement(By.id("lightbox-request")).getText();
        assertThat(request).contains("Contrapposto", "Sketch", "Rim", "3:4");
        assertThat(browser.findElement(By.id("lightbox-download")).getDomAttribute("href"))
                .startsWith("http://127.0.0.1:");
        HeadlessChromium.screenshot(browser, "lightbox");

        click(By.id("lightbox-visibility"));
        waitUntil(
                d -> d.findElement(By.id("lightbox-status")).getText().contains("Now public"), Duration.ofSeconds(20));
        assertThat(publicGalleryIds(100)).contains(imageId);
        click(By.id("lightbox-close"));

        click(By.cssSelector("a[data-nav=mine]"));
        WebElement mine = visible(By.cssSelector("#mine-grid [data-image-id='" + imageId + "']"));
        assertThat(mine.getDomAttribute("data-visibility")).isEqualTo("public");
        HeadlessChromium.screenshot(browser, "my-images");

        click(By.cssSelector("a[data-nav=plans]"));
        waitUntil(d -> d.findElement(By.id("usage")).getText().contains("1 of 10 images used"), Duration.ofSeconds(20));
        assertThat(browser.findElement(By.cssSelector("[data-plan=free]")).getText())
                .contains("Your plan");
        HeadlessChromium.screenshot(browser, "plans");

        WebElement displayName = browser.findElement(By.id("display-name"));
        assertThat(displayName.getDomProperty("value")).isEqualTo(username);
        displayName.clear();
        displayName.sendKeys("Ada the Sketcher");
        click(By.cssSelector("input[name=default_visibility][value=public]"));
        click(By.id("profile-save"));
        waitUntil(d -> d.findElement(By.id("profile-status")).getText().equals("Saved."), Duration.ofSeconds(20));
        assertThat(browser.findElement(By.id("who")).getText()).isEqualTo("Signed in as Ada the Sketcher");

        click(By.id("sign-out"));
        visible(By.id("sign-in"));
        click(By.cssSelector("a[data-nav=compose]"));
        visible(By.id("view-signed-out"));
        assertNoConsoleErrors();
    }

    @Test
    void thePublicGalleryPagesWithTheCursorAsItScrollsOnADesktopAndOnAPhone() {
        E2ESupport e2e = new E2ESupport(new ApiClient(port), issuer, users);
        E2ESupport.User seeder = e2e.newUser("pro");
        Set<String> seeded = new LinkedHashSet<>();
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            jobs.add(e2e.startJob(
                    seeder, "{\"pose\":\"walking\",\"num_images\":4,\"visibility\":\"public\",\"seed\":" + i + "}"));
        }
        for (String job : jobs) {
            JsonNode done = e2e.awaitFinished(seeder, job);
            assertThat(done.get("status").asString()).isEqualTo("succeeded");
            done.get("images").forEach(image -> seeded.add(image.get("id").asString()));
        }
        assertThat(seeded).hasSize(16); // more than a page (12): the grid must page to show them all

        browser.get(app + "#gallery");
        waitUntil(d -> thumbIds(d).size() >= 12, Duration.ofSeconds(20));
        HeadlessChromium.screenshot(browser, "gallery");
        // Scrolling the end of the grid into view loads the next page with the cursor, until all are shown.
        waitUntil(
                d -> {
                    ((JavascriptExecutor) d)
                            .executeScript("document.getElementById('gallery-more').scrollIntoView({block: 'end'});"
                                    + " window.scrollTo(0, document.body.scrollHeight);");
                    return thumbIds(d).containsAll(seeded);
                },
                Duration.ofSeconds(30));
        List<String> shown = thumbIds(browser);
        assertThat(new HashSet<>(shown)).as("no image twice").hasSameSizeAs(shown);
        assertThat(shown.subList(0, 12)).as("newest first").allMatch(seeded::contains);

        // By keyboard: Enter on a thumbnail opens the lightbox, Escape closes it and focus returns.
        WebElement first = browser.findElement(By.cssSelector("#gallery-grid .thumb"));
        first.sendKeys(Keys.ENTER);
        visible(By.id("lightbox"));
        assertThat(browser.findElement(By.id("report-form")).isDisplayed())
                .as("signed out: nothing to report with")
                .isFalse();
        browser.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        waitUntil(d -> !d.findElement(By.id("lightbox")).isDisplayed(), Duration.ofSeconds(10));
        assertThat(browser.switchTo().activeElement().getDomAttribute("data-image-id"))
                .isEqualTo(first.getDomAttribute("data-image-id"));

        browser.manage().window().setSize(new Dimension(390, 844));
        browser.navigate().refresh();
        waitUntil(d -> thumbIds(d).size() >= 12, Duration.ofSeconds(20));
        Long overflow = (Long) ((JavascriptExecutor) browser)
                .executeScript("return document.documentElement.scrollWidth - window.innerWidth;");
        assertThat(overflow).as("no sideways scrolling on a phone").isLessThanOrEqualTo(0L);
        HeadlessChromium.screenshot(browser, "gallery-phone");
        assertNoConsoleErrors();
    }

    private List<String> publicGalleryIds(int limit) {
        JsonNode page = new ApiClient(port)
                .get("/api/images/gallery/?limit=" + limit, null)
                .json();
        List<String> ids = new ArrayList<>();
        page.get("items").forEach(image -> ids.add(image.get("id").asString()));
        return ids;
    }

    private static List<String> thumbIds(WebDriver browser) {
        return browser.findElements(By.cssSelector("#gallery-grid .thumb")).stream()
                .map(thumb -> thumb.getDomAttribute("data-image-id"))
                .toList();
    }

    private void assertNoConsoleErrors() {
        HeadlessChromium.assertNoConsoleErrors(browser);
    }

    private WebElement visible(By locator) {
        return HeadlessChromium.visible(browser, locator);
    }

    private void click(By locator) {
        HeadlessChromium.click(browser, locator);
    }

    private void waitUntil(java.util.function.Function<WebDriver, Boolean> condition, Duration timeout) {
        HeadlessChromium.waitUntil(browser, condition, timeout);
    }
}
