package com.figureforge.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.devstack.fal.FalEmulator;
import com.figureforge.devstack.oidc.OidcIssuer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Variation sets in the web client, in headless Chromium against the local stack: compose's "Variation
 * set" mode with its cost against the quota, then the contact sheet filling in as the jobs finish.
 */
@FigureForgeE2E
class WebClientVariationsBrowserTest {

    @LocalServerPort
    int port;

    @Autowired
    OidcIssuer issuer;

    @Autowired
    FalEmulator fal;

    WebDriver browser;
    BrowserSteps steps;
    String app;

    @BeforeEach
    void setUp() {
        browser = HeadlessChromium.shared();
        browser.get("about:blank");
        browser.manage().window().setSize(new Dimension(1280, 900));
        app = "http://localhost:" + port + "/";
        steps = new BrowserSteps(browser);
        fal.resetFaults();
    }

    @Test
    void anArtistMakesASetOfThreeLightingsAndWatchesTheContactSheetFill() {
        String username = "sweeper-" + UUID.randomUUID().toString().substring(0, 8);
        steps.signIn(app, issuer, username);
        steps.click(By.cssSelector("a[data-nav=compose]"));
        steps.waitUntil(d -> d.findElement(By.id("quota")).getText().contains("left of 10"), Duration.ofSeconds(20));

        new Select(browser.findElement(By.id("control-pose"))).selectByValue("contrapposto");
        new Select(browser.findElement(By.id("control-style"))).selectByValue("sketch");
        steps.click(By.cssSelector("input[name=make][value=set]"));
        new Select(steps.visible(By.id("set-vary"))).selectByValue("lighting");
        assertThat(browser.findElement(By.id("control-lighting")).isEnabled())
                .as("the varied control comes from the values")
                .isFalse();
        assertThat(browser.findElement(By.id("generate")).getText()).isEqualTo("Make the set");
        tick("studio", true);
        tick("soft", false);
        tick("rim", false);
        assertThat(browser.findElement(By.id("set-cost")).getText()).contains("Tick 2 to 8 values.");
        // The API's refusal (422 invalid_variation_set) is shown in plain words, and costs nothing.
        steps.click(By.id("generate"));
        assertThat(steps.visible(By.id("compose-problem")).getText())
                .contains("The variation set cannot be made", "Values: must hold 2 to 8 distinct values");
        tick("rim", true);
        tick("dramatic", true);
        assertThat(browser.findElement(By.id("set-cost")).getText())
                .isEqualTo("3 values × 1 image = 3 images of the 10 left this period.");
        ((JavascriptExecutor) browser)
                .executeScript("document.getElementById('set-cost').scrollIntoView({block: 'center'});");
        HeadlessChromium.screenshot(browser, "variation-set-compose");

        steps.click(By.id("generate"));
        steps.waitUntil(d -> d.getCurrentUrl().contains("#set/"), Duration.ofSeconds(20));
        steps.visible(By.id("view-set"));
        List<String> seen = new ArrayList<>();
        steps.waitUntil(
                d -> {
                    // Text and state in one read: the sheet may render between two separate reads.
                    @SuppressWarnings("unchecked")
                    List<String> status = (List<String>) ((JavascriptExecutor) d)
                            .executeScript("const s = document.getElementById('set-status');"
                                    + " return [s.textContent, s.dataset.status || ''];");
                    if (seen.isEmpty() || !seen.getLast().equals(status.get(0))) {
                        seen.add(status.get(0));
                    }
                    return "finished".equals(status.get(1));
                },
                Duration.ofSeconds(90));
        assertThat(seen.size()).as("the sheet filled in: %s", seen).isGreaterThan(1);
        assertThat(browser.findElement(By.id("set-status")).getText()).isEqualTo("Done: 3 of 3 finished.");
        List<WebElement> cells = browser.findElements(By.cssSelector("#set-sheet .sheet-cell"));
        assertThat(cells.stream().map(c -> c.getDomAttribute("data-value")))
                .containsExactly("studio", "rim", "dramatic");
        assertThat(cells)
                .allSatisfy(c -> assertThat(c.getDomAttribute("data-status")).isEqualTo("succeeded"));
        assertThat(browser.findElement(By.id("set-sheet")).getText()).contains("Studio", "Rim", "Dramatic");
        steps.waitUntil(
                d -> (Boolean) ((JavascriptExecutor) d)
                        .executeScript("const imgs = [...document.querySelectorAll('#set-sheet img')];"
                                + " return imgs.length === 3 && imgs.every(i => i.complete && i.naturalWidth > 0);"),
                Duration.ofSeconds(20));
        HeadlessChromium.screenshot(browser, "variation-set");

        browser.findElement(By.cssSelector("#set-sheet [data-value=rim] .thumb"))
                .click();
        steps.visible(By.id("lightbox"));
        assertThat(browser.findElement(By.id("lightbox-request")).getText()).contains("Rim", "Contrapposto");
        steps.click(By.id("lightbox-close"));

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> images = (List<Map<String, Object>>) ((JavascriptExecutor) browser)
                .executeAsyncScript("const done = arguments[arguments.length - 1];"
                        + " import('/app/variations.js').then(m => done(m.setImages()));");
        assertThat(images.stream().map(i -> i.get("label"))).containsExactly("Studio", "Rim", "Dramatic");
        assertThat(images).allSatisfy(i -> assertThat((String) i.get("url")).startsWith("http://127.0.0.1:"));

        // The finished set is a gesture session: its poses in the order of the values.
        steps.click(By.id("set-session-start"));
        steps.visible(By.id("session-player"));
        assertThat(browser.findElement(By.id("player-pose")).getText()).isEqualTo("Pose 1 of 3");
        assertThat(browser.findElement(By.id("player-image")).getDomAttribute("alt"))
                .isEqualTo("Lighting: Studio");
        steps.click(By.id("player-end"));
        steps.visible(By.id("session-summary"));
        assertThat(browser.findElements(By.cssSelector("#summary-poses .summary-pose")))
                .hasSize(1);
        steps.assertNoConsoleErrors();
    }

    private void tick(String value, boolean checked) {
        WebElement box = browser.findElement(By.cssSelector("input[name=set-value][value=" + value + "]"));
        if (box.isSelected() != checked) {
            box.click();
        }
    }
}
