package com.figureforge.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.PlanUpdate;
import com.figureforge.adapters.data.UserRepository;
import com.figureforge.app.config.FigureForgeProperties;
import com.figureforge.devstack.oidc.OidcIssuer;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The caches of cheap requests over HTTP: verified tokens, user records for read-only requests, and
 * the gallery's validators (docs/operations.md, "Caches"). The suite runs with a gallery TTL of 0, so
 * other tests see gallery changes at once; GalleryPagesTest covers the TTL itself.
 */
@FigureForgeE2E
class CheapRequestsE2ETest {

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

    @Autowired
    MeterRegistry meters;

    private ApiClient api() {
        return new ApiClient(port);
    }

    private E2ESupport support() {
        return new E2ESupport(api(), issuer, users);
    }

    @Test
    void aTokenIsVerifiedOnceAndAnExpiredOneIsRefused() {
        String token = issuer.accessToken("tok-" + System.nanoTime());
        double before = verifications();

        for (int i = 0; i < 5; i++) {
            assertThat(api().get("/api/auth/user/", token).status()).isEqualTo(200);
        }

        assertThat(verifications() - before).isEqualTo(1);
        String expired = issuer.accessToken(
                "tok-" + System.nanoTime(), OidcIssuer.LOCAL_CLIENT_ID, List.of(), Duration.ofMinutes(-5));
        var refused = api().get("/api/auth/user/", expired);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.json().get("code").asString()).isEqualTo("unauthorized");
    }

    @Test
    void aRequestIsTimedOnceNotOncePerSecurityFilter() {
        String token = issuer.accessToken("obs-" + System.nanoTime());
        assertThat(api().get("/api/auth/user/", token).status()).isEqualTo(200);

        assertThat(meters.find("http.server.requests")
                        .tag("uri", "/api/auth/user")
                        .timers())
                .isNotEmpty();
        assertThat(meters.getMeters())
                .extracting(meter -> meter.getId().getName())
                .noneMatch(name -> name.startsWith("spring.security"));
    }

    @Test
    void writesOfThisProcessShowAtOnce() {
        var user = support().newUser("free");
        assertThat(api().get("/api/auth/user/", user.token()).json().get("plan").asString())
                .isEqualTo("free");

        var renamed = api().put("/api/auth/user/update/", user.token(), "{\"display_name\":\"Renamed\"}");
        assertThat(renamed.status()).as(renamed.body()).isEqualTo(200);
        users.updatePlan(user.id(), new PlanUpdate("pro", "active", null, null, null));

        var profile = api().get("/api/auth/user/", user.token()).json();
        assertThat(profile.get("display_name").asString()).isEqualTo("Renamed");
        assertThat(profile.get("plan").asString()).isEqualTo("pro");
    }

    @Test
    void aGenerationDecidesOnTheStoredPlanNotOnACachedOne() {
        var user = support().newUser("pro");
        long cachedAt = System.nanoTime();
        assertThat(api().get("/api/auth/user/", user.token()).json().get("plan").asString())
                .isEqualTo("pro");

        // A downgrade written by another process (the worker role): this process's cache never hears of it.
        new UserRepository(dynamo, properties.aws().dynamodb().table(), Clock.systemUTC())
                .updatePlan(user.id(), new PlanUpdate("free", "canceled", null, null, null));

        String seen =
                api().get("/api/auth/user/", user.token()).json().get("plan").asString();
        if (System.nanoTime() - cachedAt < Duration.ofSeconds(4).toNanos()) {
            assertThat(seen)
                    .as("a read-only request within the TTL answers from the cache")
                    .isEqualTo("pro");
        }
        var refused = api().post("/api/images/generate/", user.token(), "{\"num_images\":4}");
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.body()).contains("on the free plan");
    }

    @Test
    void theGalleryCarriesAStrongEtagAndAnswers304ToIt() {
        // With the suite's TTL of 0 every answer is built afresh: a new public image or a presigned URL
        // signed in the next second changes the page (and so its ETag) between two requests. An
        // unchanged page must answer 304; a few tries make sure one pair of requests sees one.
        boolean notModified = false;
        for (int attempt = 0; attempt < 5 && !notModified; attempt++) {
            var page = api().get("/api/images/gallery/?limit=3", null);
            assertThat(page.status()).isEqualTo(200);
            String etag = page.header("ETag");
            assertThat(etag).startsWith("\"").endsWith("\"");
            assertThat(page.header("Cache-Control")).contains("public").contains("max-age=");

            var again = api().get("/api/images/gallery/?limit=3", null, Map.of("If-None-Match", etag));
            if (again.status() == 304) {
                assertThat(again.body()).isEmpty();
                assertThat(again.header("ETag")).isEqualTo(etag);
                notModified = true;
            } else {
                assertThat(again.status()).isEqualTo(200);
                assertThat(again.header("ETag")).isNotEqualTo(etag);
            }
        }
        assertThat(notModified).as("an unchanged page answered 304").isTrue();

        var other = api().get("/api/images/gallery/?limit=3", null, Map.of("If-None-Match", "\"something-else\""));
        assertThat(other.status()).isEqualTo(200);
        assertThat(other.body()).contains("items");
    }

    private double verifications() {
        return meters.get("figureforge.auth.token.verifications").counter().count();
    }
}
