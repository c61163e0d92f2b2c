package com.figureforge.app.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.figureforge.app.config.FigureForgeProperties;
import com.figureforge.app.users.CurrentUser;
import com.figureforge.app.web.ApiException;
import com.figureforge.app.web.ErrorCode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Without a Stripe key billing answers 503 at once, before anything else is looked at. */
class BillingControllerTest {

    private static FigureForgeProperties withoutStripe() {
        var billing = new FigureForgeProperties.Billing(
                "",
                "",
                "",
                Duration.ofSeconds(5),
                Duration.ofSeconds(20),
                0,
                "http://localhost:3000/ok",
                "http://localhost:3000/no",
                "http://localhost:3000/account",
                List.of("http://localhost:3000"),
                Duration.ofDays(7));
        return new FigureForgeProperties(
                true, 65536, null, null, null, null, null, null, null, billing, java.util.Map.of());
    }

    private final BillingController controller = new BillingController(withoutStripe(), null, null, null, null);
    private final CurrentUser caller = new CurrentUser("u1", "alice", null);

    @Test
    void checkoutWithoutAStripeKeyIsBillingNotConfigured() {
        assertThatThrownBy(() -> controller.checkout(caller, new BillingController.CheckoutBody("pro", null, null)))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BILLING_NOT_CONFIGURED));
        assertThat(ErrorCode.BILLING_NOT_CONFIGURED.status().value()).isEqualTo(503);
    }

    @Test
    void portalWithoutAStripeKeyIsBillingNotConfigured() {
        assertThatThrownBy(() -> controller.portal(caller, null))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BILLING_NOT_CONFIGURED));
    }

    @Test
    void aRedirectOriginMatchesExactlyOrAnyPortOfAHostListedWithAStarPort() {
        List<String> allowed = List.of("https://app.example.com", "http://localhost:*");

        assertThat(BillingController.allowedOrigin("https://app.example.com", allowed))
                .isTrue();
        assertThat(BillingController.allowedOrigin("http://localhost:41234", allowed))
                .isTrue();
        assertThat(BillingController.allowedOrigin("https://app.example.com:8443", allowed))
                .isFalse();
        assertThat(BillingController.allowedOrigin("http://localhost.evil.example", allowed))
                .isFalse();
        assertThat(BillingController.allowedOrigin("http://localhost:80@evil.example", allowed))
                .isFalse();
        assertThat(BillingController.allowedOrigin("https://localhost:41234", allowed))
                .isFalse();
    }
}
