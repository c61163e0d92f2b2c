package com.figureforge.app.e2e;

import static com.figureforge.app.e2e.AuthAndErrorsE2ETest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.RateLimitCounters;
import com.figureforge.adapters.data.RateLimitCounters.Window;
import com.figureforge.adapters.data.UserRepository;
import com.figureforge.app.config.FigureForgeProperties;
import com.figureforge.devstack.oidc.OidcIssuer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Rate limits over HTTP, with the small limits {@link FigureForgeE2E} gives the "limited" plan (user: 6 a
 * day; generate: 2 a day, 3 in two days) and the plans route (20 a day per address). The windows are a day
 * long so no window ends while a test runs (short of one starting in the last seconds before midnight UTC).
 */
@FigureForgeE2E
class RateLimitE2ETest {

    @LocalServerPort
    int port;

    @Autowired
    OidcIssuer issuer;

    @Autowired
    UserRepository users;

    @Autowired
    DynamoDbClient dynamo;

    @Autowired
    FigureForgeProperties properties;

    ApiClient api;
    E2ESupport e2e;

    @BeforeEach
    void setUp() {
        api = new ApiClient(port);
        e2e = new E2ESupport(api, issuer, users);
    }

    @Test
    void aUsersLimitHoldsAcrossReplicasAndAnswers429WithRetryAfterAndTheRateLimitFields() {
        var user = e2e.newUser("limited");
        // Another API replica: its own limiter on the same table takes 2 of the user's 6 requests.
        var otherReplica =
                new RateLimitCounters(dynamo, properties.aws().dynamodb().table(), Clock.systemUTC());
        List<Window> userPolicy = List.of(new Window("user", 6, Duration.ofDays(1)));
        assertThat(otherReplica
                        .take(RateLimitCounters.userSubject(user.id()), userPolicy)
                        .allowed())
                .isTrue();
        assertThat(otherReplica
                        .take(RateLimitCounters.userSubject(user.id()), userPolicy)
                        .allowed())
                .isTrue();

        for (int remaining = 3; remaining >= 0; remaining--) {
            var response = api.get("/api/auth/user/", user.token());
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            assertThat(response.header("RateLimit-Policy")).isEqualTo("\"user\";q=6;w=86400");
            assertThat(response.header("RateLimit")).startsWith("\"user\";r=" + remaining + ";t=");
        }

        var refused = api.get("/api/auth/user/", user.token());
        assertProblem(refused, 429, "rate_limited");
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertThat(retryAfter).isBetween(1L, 86_400L);
        assertThat(refused.header("RateLimit")).isEqualTo("\"user\";r=0;t=" + retryAfter);
        // Every authenticated route of the policy is refused, and no other user is.
        assertProblem(api.put("/api/auth/user/update", user.token(), "{\"display_name\":\"x\"}"), 429, "rate_limited");
        assertThat(otherReplica
                        .take(RateLimitCounters.userSubject(user.id()), userPolicy)
                        .allowed())
                .isFalse();
        assertThat(api.get("/api/auth/user", e2e.newUser("limited").token()).status())
                .isEqualTo(200);
    }

    @Test
    void generateHasItsOwnPolicyWithABurstWindowPerPlan() {
        var user = e2e.newUser("limited");
        assertThat(e2e.generate(user, "{}").status()).isEqualTo(202);
        var second = e2e.generate(user, "{}");
        assertThat(second.status()).as(second.body()).isEqualTo(202);
        assertThat(second.header("RateLimit-Policy"))
                .isEqualTo("\"generate-86400s\";q=2;w=86400, \"generate\";q=3;w=172800");
        assertThat(second.header("RateLimit")).startsWith("\"generate-86400s\";r=0;t=");

        var refused = e2e.generate(user, "{}");
        assertProblem(refused, 429, "rate_limited");
        assertThat(refused.header("Retry-After")).isNotBlank();
        // The generate policy is apart from the user policy: other routes still answer.
        assertThat(api.get("/api/images/user/", user.token()).status()).isEqualTo(200);
    }

    @Test
    void publicRoutesCountPerClientAddressFromTheTrustedProxysForwardedFor() {
        String address = "198.51.100." + ThreadLocalRandom.current().nextInt(1, 255);
        String neighbour =
                "2001:db8::" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1, 65535));
        // 127.0.0.1 is a trusted proxy here; what the client wrote left of the proxy's entry is ignored.
        Map<String, String> viaProxy = Map.of("X-Forwarded-For", "10.9.9.9, " + address);
        for (int i = 0; i < 20; i++) {
            var response = api.get("/api/subscriptions/plans/", null, viaProxy);
            assertThat(response.status()).as("request %d", i + 1).isEqualTo(200);
        }
        var refused = api.get("/api/subscriptions/plans", null, Map.of("X-Forwarded-For", "10.1.1.1," + address));
        assertProblem(refused, 429, "rate_limited");
        assertThat(refused.header("RateLimit-Policy")).isEqualTo("\"plans\";q=20;w=86400");

        assertThat(api.get("/api/subscriptions/plans/", null, Map.of("X-Forwarded-For", neighbour))
                        .status())
                .isEqualTo(200);
        // A route of another policy is not affected.
        assertThat(api.get("/api/images/gallery/", null, viaProxy).status()).isEqualTo(200);
    }
}
