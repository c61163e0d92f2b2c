package com.figureforge.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.devstack.oidc.OidcIssuer;
import com.figureforge.devstack.stripe.StripeEmulator;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The profile's email comes from the issuer's userinfo endpoint (access tokens carry none), once per
 * sign-in ({@code auth_time}), and reaches the Stripe customer.
 */
@FigureForgeE2E
class ProfileEmailE2ETest {

    @LocalServerPort
    int port;

    @Autowired
    OidcIssuer issuer;

    @Autowired
    StripeEmulator stripe;

    private ApiClient api() {
        return new ApiClient(port);
    }

    private static String newUser() {
        return "mail-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private String email(String token) {
        var response = api().get("/api/auth/user/", token);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        var email = response.json().get("email");
        return email == null || email.isNull() ? null : email.asString();
    }

    @Test
    void theProfileShowsTheEmailFromTheIssuerAskedOncePerSignIn() {
        String username = newUser();
        String token = issuer.accessToken(username);
        int callsBefore = issuer.userInfoCalls();

        assertThat(email(token)).isEqualTo(username + "@example.test");
        assertThat(email(token)).isEqualTo(username + "@example.test");
        assertThat(email(token)).isEqualTo(username + "@example.test");

        assertThat(issuer.userInfoCalls() - callsBefore)
                .as("one userinfo call for one sign-in")
                .isEqualTo(1);
    }

    @Test
    void aNewSignInAfterTheEmailChangedRefreshesIt() {
        String username = newUser();
        String firstSignIn = issuer.accessToken(username);
        assertThat(email(firstSignIn)).isEqualTo(username + "@example.test");

        issuer.setEmail(username, username + "@changed.example");
        assertThat(email(firstSignIn)).as("the same sign-in is not asked again").isEqualTo(username + "@example.test");

        awaitNextSecond(); // auth_time has whole seconds
        assertThat(email(issuer.accessToken(username))).isEqualTo(username + "@changed.example");
        assertThat(email(firstSignIn))
                .as("the stored email, whichever token asks")
                .isEqualTo(username + "@changed.example");
    }

    @Test
    void aFailingUserInfoKeepsTheStoredEmailAndIsAskedAgainLater() {
        String username = newUser();
        assertThat(email(issuer.accessToken(username))).isEqualTo(username + "@example.test");
        issuer.setEmail(username, username + "@changed.example");
        awaitNextSecond();
        String secondSignIn = issuer.accessToken(username);

        issuer.failUserInfo(503);
        try {
            assertThat(email(secondSignIn)).isEqualTo(username + "@example.test");
            String brandNew = newUser();
            var created = api().get("/api/auth/user/", issuer.accessToken(brandNew));
            assertThat(created.status())
                    .as("a new user is created without an email")
                    .isEqualTo(200);
            assertThat(created.json().get("email").isNull()).isTrue();
        } finally {
            issuer.failUserInfo(0);
        }

        int callsBefore = issuer.userInfoCalls();
        assertThat(email(secondSignIn)).as("not asked again at once").isEqualTo(username + "@example.test");
        assertThat(issuer.userInfoCalls()).isEqualTo(callsBefore);

        E2ESupport.sleep(2_100); // figureforge.auth.email.retry-after-failure in the e2e context
        assertThat(email(secondSignIn)).isEqualTo(username + "@changed.example");
    }

    @Test
    void aTokenWithoutTheOpenidScopeIsNotSentToUserInfo() {
        String username = newUser();
        int callsBefore = issuer.userInfoCalls();

        assertThat(email(issuer.accessTokenWithScope(username, "aws.cognito.signin.user.admin")))
                .as("no user pool is configured locally, so no source applies")
                .isNull();
        assertThat(issuer.userInfoCalls()).isEqualTo(callsBefore);
    }

    @Test
    void theStripeCustomerGetsTheEmailAndALaterChange() {
        String username = newUser();
        String token = issuer.accessToken(username);
        var checkout = api().post("/api/subscriptions/checkout/", token, "{\"plan\":\"pro\"}");
        assertThat(checkout.status()).as(checkout.body()).isEqualTo(200);

        var created = stripe.requests().stream()
                .filter(r -> r.method().equals("POST") && r.path().equals("/v1/customers"))
                .filter(r -> username.equals(r.params().get("metadata[user_id]")))
                .toList();
        assertThat(created)
                .singleElement()
                .satisfies(r -> assertThat(r.params()).containsEntry("email", username + "@example.test"));
        String customerId = stripe.requests().stream()
                .filter(r ->
                        r.path().equals("/v1/checkout/sessions") && r.method().equals("POST"))
                .filter(r -> username.equals(r.params().get("client_reference_id")))
                .findFirst()
                .orElseThrow()
                .params()
                .get("customer");
        assertThat(stripe.customer(customerId).orElseThrow().get("email").asString())
                .isEqualTo(username + "@example.test");

        issuer.setEmail(username, username + "@changed.example");
        awaitNextSecond();
        var again = api().post("/api/subscriptions/checkout/", issuer.accessToken(username), "{\"plan\":\"hobby\"}");
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(stripe.customer(customerId).orElseThrow().get("email").asString())
                .isEqualTo(username + "@changed.example");
    }

    /** Waits until the clock's epoch second moves on, so a new token's auth_time is later. */
    private static void awaitNextSecond() {
        long second = Instant.now().getEpochSecond();
        while (Instant.now().getEpochSecond() == second) {
            E2ESupport.sleep(Duration.ofMillis(20).toMillis());
        }
    }
}
