package com.figureforge.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.devstack.oidc.OidcIssuer;
import com.figureforge.devstack.stripe.StripeEmulator;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The plan and account screens in a real headless Chromium against the local stack: an upgrade paid on the
 * Stripe emulator's checkout page, plan changes, the billing portal, and deleting the account. Tokens live
 * in the page's memory, so every trip to Stripe ends with a sign-in on the issuer's login page.
 */
@FigureForgeE2E
class WebClientAccountBrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @LocalServerPort
    int port;

    @Autowired
    OidcIssuer issuer;

    @Autowired
    StripeEmulator stripe;

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
    void anArtistUpgradesThroughCheckoutChangesPlanOpensThePortalAndDeletesTheAccount() {
        String username = "buyer-" + UUID.randomUUID().toString().substring(0, 8);
        browser.get(app + "#plans");
        click(By.cssSelector("#view-signed-out [data-action=sign-in]"));
        signInOnTheIssuersPage(username);
        waitUntil(d -> text(d, "usage").contains("of 10 images used"));
        assertThat(browser.findElement(By.cssSelector("[data-plan=free]")).getText())
                .contains("Your plan");
        assertThat(browser.findElement(By.id("manage-billing")).isDisplayed())
                .as("no billing account yet")
                .isFalse();
        HeadlessChromium.screenshot(browser, "plans-free");

        // Upgrade: the emulator's checkout page pays and sends the browser back to the client's own origin.
        click(By.cssSelector("button[data-checkout=pro]"));
        signInOnTheIssuersPage(username);
        waitUntil(d -> text(d, "notice").contains("Payment received: you are on Pro now, with 600 images"));
        assertThat(browser.getCurrentUrl()).isEqualTo(app + "#plans");
        assertThat(stripe.requests().stream()
                        .filter(r -> r.path().equals("/v1/checkout/sessions")
                                && username.equals(r.params().get("client_reference_id"))))
                .singleElement()
                .satisfies(r -> assertThat(r.params().get("success_url"))
                        .isEqualTo(app + "?billing=success&session_id={CHECKOUT_SESSION_ID}"));
        waitUntil(d -> text(d, "usage").contains("of 600 images used"));
        assertThat(browser.findElement(By.cssSelector("[data-plan=pro]")).getText())
                .contains("Your plan");
        HeadlessChromium.screenshot(browser, "plans-checkout-done");

        // A bigger plan applies now; a smaller one waits for the period end, and the page says which.
        WebElement toStudio = browser.findElement(By.cssSelector("button[data-change=studio]"));
        assertThat(toStudio.getText()).isEqualTo("Upgrade to Studio now");
        toStudio.click();
        waitUntil(d -> text(d, "billing-status").equals("You are on Studio now: 2500 images a month."));
        waitUntil(d -> text(d, "usage").contains("of 2500 images used"));
        WebElement toHobby = browser.findElement(By.cssSelector("button[data-change=hobby]"));
        assertThat(toHobby.getText()).isEqualTo("Switch to Hobby at period end");
        toHobby.click();
        waitUntil(d -> text(d, "billing-status").startsWith("Hobby starts on"));
        assertThat(browser.findElement(By.cssSelector("[data-plan=studio]")).getText())
                .contains("Your plan");
        HeadlessChromium.screenshot(browser, "plans-change");

        browser.manage().window().setSize(new Dimension(390, 844));
        Long overflow = (Long) ((JavascriptExecutor) browser)
                .executeScript("return document.documentElement.scrollWidth - window.innerWidth;");
        assertThat(overflow).as("no sideways scrolling on a phone").isLessThanOrEqualTo(0L);
        HeadlessChromium.screenshot(browser, "plans-phone");
        browser.manage().window().setSize(new Dimension(1280, 900));

        // The portal is Stripe's page; its link back comes home, and home signs in again.
        click(By.id("manage-billing"));
        waitUntil(d -> URI.create(d.getCurrentUrl()).getPath().startsWith("/portal/"));
        assertThat(URI.create(browser.getCurrentUrl()).getPort())
                .isEqualTo(stripe.baseUrl().getPort());
        assertThat(browser.getPageSource()).contains("Billing portal", "price_local_studio");
        click(By.linkText("Return"));
        signInOnTheIssuersPage(username);
        waitUntil(d -> text(d, "notice").startsWith("Back from the billing portal"));

        // Deleting asks for the user name in a modal dialog; the button stays off until it matches.
        click(By.id("delete-account"));
        WebElement dialog = visible(By.id("delete-dialog"));
        assertThat(browser.switchTo().activeElement().getDomAttribute("id")).isEqualTo("delete-confirm");
        browser.findElement(By.id("delete-confirm")).sendKeys("somebody-else");
        assertThat(browser.findElement(By.id("delete-submit")).isEnabled()).isFalse();
        browser.findElement(By.id("delete-confirm")).clear();
        browser.findElement(By.id("delete-confirm")).sendKeys(username);
        assertThat(dialog.getText()).contains(username);
        HeadlessChromium.screenshot(browser, "account-delete");
        click(By.id("delete-submit"));

        visible(By.id("view-signed-out"));
        waitUntil(d -> text(d, "notice").startsWith("Your account is being deleted"));
        assertThat(browser.findElement(By.id("sign-in")).isDisplayed()).isTrue();
        HeadlessChromium.screenshot(browser, "account-deleted");

        var me = new ApiClient(port).get("/api/auth/user/", issuer.accessToken(username));
        assertThat(me.status()).as(me.body()).isIn(409, 410);
        assertThat(me.json().get("code").asString()).isIn("account_deleting", "account_deleted");
        assertNoConsoleErrors();
    }

    @Test
    void aCheckoutForSomebodySubscribedMeanwhileSaysSoInPlainWordsAndOffersThePortal() {
        String username = "twotabs-" + UUID.randomUUID().toString().substring(0, 8);
        browser.get(app + "#plans");
        click(By.cssSelector("#view-signed-out [data-action=sign-in]"));
        signInOnTheIssuersPage(username);
        waitUntil(d -> text(d, "usage").contains("of 10 images used"));

        // Paid in another tab: this page still offers checkout, which the API refuses with 409.
        ApiClient api = new ApiClient(port);
        String sessionId = api.post("/api/subscriptions/checkout/", issuer.accessToken(username), "{\"plan\":\"pro\"}")
                .json()
                .get("session_id")
                .asString();
        stripe.completeCheckout(sessionId);

        click(By.cssSelector("button[data-checkout=hobby]"));
        WebElement problem = visible(By.id("billing-problem"));
        waitUntil(d -> problem.getText().contains("You already have a subscription"));
        assertThat(problem.getText()).doesNotContain("/api/");
        // The cards catch up: plan changes instead of checkouts.
        waitUntil(d ->
                !d.findElements(By.cssSelector("button[data-change=studio]")).isEmpty());
        assertThat(browser.findElements(By.cssSelector("button[data-checkout]")))
                .isEmpty();
        assertThat(browser.findElement(By.id("problem-portal")).getDomAttribute("href"))
                .contains("/portal/");
        assertThat(browser.getCurrentUrl()).isEqualTo(app + "#plans");
        HeadlessChromium.screenshot(browser, "plans-already-subscribed");
        assertNoConsoleErrors();
    }

    private void signInOnTheIssuersPage(String username) {
        waitUntil(d -> d.getCurrentUrl().startsWith(issuer.issuerUri()));
        browser.findElement(By.name("username")).sendKeys(username);
        browser.findElement(By.cssSelector("input[type=submit]")).click();
        waitUntil(d -> d.getCurrentUrl().startsWith(app)
                && text(d, "who").contains(username)
                && d.findElement(By.id("loading")).getDomProperty("hidden").equals("true"));
    }

    private static String text(WebDriver browser, String id) {
        return browser.findElement(By.id(id)).getText();
    }

    /** Nothing was refused by the page's CSP and no script failed. */
    private void assertNoConsoleErrors() {
        List<String> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .map(LogEntry::getMessage)
                .filter(message -> message.contains("Content Security Policy")
                        || message.contains("Uncaught")
                        || message.contains("module script"))
                .toList();
        assertThat(errors).isEmpty();
    }

    private WebElement visible(By locator) {
        return new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(locator));
    }

    private void click(By locator) {
        new WebDriverWait(browser, WAIT)
                .until(ExpectedConditions.elementToBeClickable(locator))
                .click();
    }

    /** Waits; a timeout says where the browser was and what the page's notice said. */
    private void waitUntil(Function<WebDriver, Boolean> condition) {
        try {
            new WebDriverWait(browser, WAIT)
                    .pollingEvery(Duration.ofMillis(100))
                    .until(condition::apply);
        } catch (TimeoutException e) {
            String notice = browser.findElements(By.cssSelector("#notice, #billing-problem")).stream()
                    .map(WebElement::getText)
                    .toList()
                    .toString();
            throw new AssertionError("Waited in vain at " + browser.getCurrentUrl() + ", notices " + notice, e);
        }
    }
}
