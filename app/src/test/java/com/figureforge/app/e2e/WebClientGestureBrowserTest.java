package com.figureforge.app.e2e;

import static com.figureforge.app.e2e.HeadlessChromium.click;
import static com.figureforge.app.e2e.HeadlessChromium.visible;
import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.UserRepository;
import com.figureforge.devstack.oidc.OidcIssuer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * Timed gesture sessions in the web client, in real headless Chromium: a session over the public gallery
 * with short poses counts down, holds its time while paused, skips, ends by itself and lists what was drawn;
 * the keyboard drives it; on a phone the image fills the screen with the controls in reach. Writes {@code
 * docs/screenshots/gesture-*.png}.
 */
@FigureForgeE2E
class WebClientGestureBrowserTest {

    @LocalServerPort
    int port;

    @Autowired
    OidcIssuer issuer;

    @Autowired
    UserRepository users;

    WebDriver browser;
    String app;

    @BeforeEach
    void setUp() {
        browser = HeadlessChromium.shared();
        browser.get("about:blank");
        browser.manage().window().setSize(new Dimension(1280, 900));
        app = "http://localhost:" + port + "/";
    }

    @Test
    void aSessionOverThePublicGalleryCountsDownPausesSkipsEndsByItselfAndListsThePosesWithTheirTimes() {
        E2ESupport e2e = new E2ESupport(new ApiClient(port), issuer, users);
        E2ESupport.User seeder = e2e.newUser("pro");
        String job =
                e2e.startJob(seeder, "{\"pose\":\"reaching\",\"num_images\":3,\"visibility\":\"public\",\"seed\":7}");
        assertThat(e2e.awaitFinished(seeder, job).get("status").asString()).isEqualTo("succeeded");

        browser.get(app + "#session");
        visible(browser, By.id("view-session"));
        assertThat(browser.findElement(By.id("session-source-mine")).isEnabled())
                .as("signed out: only the public gallery")
                .isFalse();
        click(browser, By.id("session-duration-custom"));
        type(By.id("session-seconds"), "2");
        type(By.id("session-count"), "3");
        click(browser, By.id("session-shuffle")); // off: the newest three, in order
        HeadlessChromium.screenshot(browser, "gesture-setup");
        click(browser, By.id("session-start"));
        visible(browser, By.id("session-player"));
        assertThat(player().get("pose")).isEqualTo("1");

        // Space pauses (focus is on the pause button: it must not also click it), and the time holds.
        browser.switchTo().activeElement().sendKeys(Keys.SPACE);
        waitUntil(d -> "paused".equals(player().get("state")), Duration.ofSeconds(5));
        Map<String, String> paused = player();
        assertThat(paused.get("pose")).isEqualTo("1");
        assertThat(paused.get("announce")).isEqualTo("Paused.");
        E2ESupport.sleep(1500);
        assertThat(player()).isEqualTo(paused);
        waitUntil(d -> imageLoaded(), Duration.ofSeconds(20));
        HeadlessChromium.screenshot(browser, "gesture-session");

        // N skips to the next pose, which waits, paused, with its full time.
        browser.switchTo().activeElement().sendKeys("n");
        waitUntil(d -> "2".equals(player().get("pose")), Duration.ofSeconds(5));
        assertThat(player()).containsEntry("countdown", "0:02").containsEntry("state", "paused");

        click(browser, By.id("player-pause"));
        assertThat(browser.findElement(By.id("player-pause")).getText()).isEqualTo("Pause");
        // The countdown runs: a second goes off the clock, then the poses go on to the end by themselves.
        waitUntil(d -> "0:01".equals(player().get("countdown")), Duration.ofSeconds(10));
        WebElement summary = visible(browser, By.id("session-summary"));
        assertThat(browser.findElement(By.id("session-player")).isDisplayed()).isFalse();
        List<String> times = summaryTimes();
        assertThat(times).hasSize(3);
        assertThat(times.get(0)).as("pose 1 was skipped while paused").matches("under 1 s|1 s");
        assertThat(times.subList(1, 3)).as("poses 2 and 3 ran their full time").containsOnly("2 s");
        assertThat(browser.findElement(By.id("summary-total")).getText()).startsWith("3 poses in ");
        assertThat(browser.switchTo().activeElement().getDomAttribute("id")).isEqualTo("summary-title");
        waitUntil(
                d -> (Boolean) script("return [...document.querySelectorAll('#summary-poses img')]"
                        + ".every(i => i.complete && i.naturalWidth > 0);"),
                Duration.ofSeconds(20));
        HeadlessChromium.screenshot(browser, "gesture-summary");

        // Again: the same poses once more; Escape ends the session at once, with the pose it was on.
        click(browser, By.id("session-again"));
        visible(browser, By.id("session-player"));
        // F: full screen, or where the browser refuses it, a word that it is not available; F again leaves.
        browser.switchTo().activeElement().sendKeys("f");
        waitUntil(
                d -> fullScreen() || player().get("announce").startsWith("Full screen is not available"),
                Duration.ofSeconds(5));
        if (fullScreen()) {
            assertThat(browser.findElement(By.id("player-fullscreen")).getText())
                    .isEqualTo("Leave full screen");
            browser.switchTo().activeElement().sendKeys("f");
            waitUntil(d -> !fullScreen(), Duration.ofSeconds(5));
        }
        browser.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        waitUntil(d -> summary.isDisplayed() && summaryTimes().size() == 1, Duration.ofSeconds(10));
        click(browser, By.id("session-back"));
        visible(browser, By.id("session-form"));

        // On a phone the image fills the width and every control is on screen, within a thumb's reach.
        browser.manage().window().setSize(new Dimension(390, 844));
        type(By.id("session-seconds"), "30");
        click(browser, By.id("session-start"));
        visible(browser, By.id("session-player"));
        waitUntil(d -> imageLoaded(), Duration.ofSeconds(20));
        @SuppressWarnings("unchecked")
        Map<String, Object> layout = (Map<String, Object>)
                script("const p = document.getElementById('session-player').getBoundingClientRect();"
                        + " const b = [...document.querySelectorAll('.player-controls button')]"
                        + ".map(x => x.getBoundingClientRect());"
                        + " return {width: p.width, inner: window.innerWidth, height: window.innerHeight,"
                        + " lowest: Math.max(...b.map(r => r.bottom)), highest: Math.min(...b.map(r => r.top)),"
                        + " image: document.getElementById('player-image').getBoundingClientRect().width};");
        double inner = ((Number) layout.get("inner")).doubleValue();
        double height = ((Number) layout.get("height")).doubleValue();
        assertThat(((Number) layout.get("width")).doubleValue()).isEqualTo(inner);
        assertThat(((Number) layout.get("image")).doubleValue()).isGreaterThan(inner * 0.9);
        assertThat(((Number) layout.get("lowest")).doubleValue()).isLessThanOrEqualTo(height);
        assertThat(((Number) layout.get("highest")).doubleValue())
                .as("in the lower half")
                .isGreaterThan(height / 2);
        HeadlessChromium.screenshot(browser, "gesture-session-phone");
        click(browser, By.id("player-end"));
        waitUntil(d -> summary.isDisplayed(), Duration.ofSeconds(10));
        HeadlessChromium.assertNoConsoleErrors(browser);
    }

    @Test
    void aSignedInArtistDrawsFromTheirOwnImagesShuffledAndAsksForMorePosesThanTheyHave() {
        E2ESupport e2e = new E2ESupport(new ApiClient(port), issuer, users);
        E2ESupport.User artist = e2e.newUser("pro");
        String job = e2e.startJob(artist, "{\"pose\":\"crouching\",\"num_images\":3,\"seed\":11}");
        JsonNode done = e2e.awaitFinished(artist, job);
        assertThat(done.get("status").asString()).isEqualTo("succeeded");
        Set<String> own = new HashSet<>();
        done.get("images")
                .forEach(
                        image -> own.add(withoutQuery(image.get("thumbnail_url").asString())));

        browser.get(app + "#session");
        click(browser, By.id("sign-in"));
        waitUntil(d -> d.getCurrentUrl().startsWith(issuer.issuerUri()), Duration.ofSeconds(20));
        browser.findElement(By.name("username")).sendKeys(artist.id());
        browser.findElement(By.cssSelector("input[type=submit]")).click();
        waitUntil(d -> d.findElement(By.id("who")).getText().contains(artist.id()), Duration.ofSeconds(20));
        click(browser, By.cssSelector("a[data-nav=session]"));
        click(browser, By.id("session-source-mine"));
        click(browser, By.id("session-duration-custom"));
        type(By.id("session-seconds"), "2");
        type(By.id("session-count"), "5");
        click(browser, By.id("session-start"));
        visible(browser, By.id("session-player"));
        assertThat(browser.findElement(By.id("session-status")).getText()).isEqualTo("Only 3 images to draw from.");
        assertThat(player().get("pose")).isEqualTo("1");
        assertThat(browser.findElement(By.id("player-pose")).getText()).isEqualTo("Pose 1 of 3");

        visible(browser, By.id("session-summary"));
        List<String> drawn = browser.findElements(By.cssSelector("#summary-poses img")).stream()
                .map(image -> withoutQuery(image.getDomAttribute("src")))
                .toList();
        assertThat(drawn).as("each of the artist's own images once").containsExactlyInAnyOrderElementsOf(own);
        assertThat(summaryTimes()).containsOnly("2 s");
        HeadlessChromium.assertNoConsoleErrors(browser);
    }

    private static String withoutQuery(String url) {
        return url.substring(0, url.indexOf('?') < 0 ? url.length() : url.indexOf('?'));
    }

    @Test
    void theShuffleIsSeededTheSameSeedGivesTheSameOrder() {
        browser.get(app + "#session");
        visible(browser, By.id("view-session"));
        @SuppressWarnings("unchecked")
        List<List<Long>> orders = (List<List<Long>>) ((JavascriptExecutor) browser)
                .executeAsyncScript("const done = arguments[arguments.length - 1];"
                        + " import('/app/gesture.js').then(m => { const items = [...Array(20).keys()];"
                        + " done([m.shuffled(items, 42), m.shuffled(items, 42), m.shuffled(items, 43), items]); });");
        assertThat(orders.get(0)).isEqualTo(orders.get(1)).isNotEqualTo(orders.get(2));
        assertThat(orders.get(0))
                .containsExactlyInAnyOrderElementsOf(orders.get(3))
                .isNotEqualTo(orders.get(3));
        assertThat(orders.get(3)).as("the input is left as it was").isSorted();
    }

    /** The player's state as a person sees it: pose, countdown, pause state and the last announcement. */
    private Map<String, String> player() {
        WebElement player = browser.findElement(By.id("session-player"));
        return Map.of(
                "pose", String.valueOf(player.getDomAttribute("data-pose")),
                "state", String.valueOf(player.getDomAttribute("data-state")),
                "countdown", browser.findElement(By.id("player-countdown")).getText(),
                "announce", browser.findElement(By.id("player-announce")).getText());
    }

    private List<String> summaryTimes() {
        return browser.findElements(By.cssSelector("#summary-poses .summary-time")).stream()
                .map(WebElement::getText)
                .toList();
    }

    private boolean imageLoaded() {
        return (Boolean)
                script("const i = document.getElementById('player-image'); return i.complete && i.naturalWidth > 0;");
    }

    private boolean fullScreen() {
        return (Boolean) script("return document.fullscreenElement !== null;");
    }

    private void type(By locator, String text) {
        WebElement input = browser.findElement(locator);
        input.sendKeys(Keys.chord(Keys.CONTROL, "a"), text);
    }

    private Object script(String code) {
        return ((JavascriptExecutor) browser).executeScript(code);
    }

    private void waitUntil(Function<WebDriver, Boolean> condition, Duration timeout) {
        HeadlessChromium.waitUntil(browser, condition, timeout);
    }
}
