package com.figureforge.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.devstack.oidc.OidcIssuer;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

@FigureForgeE2E
class AuthAndErrorsE2ETest {

    @LocalServerPort
    int port;

    @Autowired
    OidcIssuer issuer;

    private ApiClient api() {
        return new ApiClient(port);
    }

    private static String newUser() {
        return "user-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void firstRequestCreatesTheUserOnTheFreePlanWithItsQuota() {
        String username = newUser();
        var response = api().get("/api/auth/user/", issuer.accessToken(username));

        assertThat(response.status()).isEqualTo(200);
        JsonNode user = response.json();
        assertThat(user.get("id").asString()).isEqualTo(username);
        assertThat(user.get("username").asString()).isEqualTo(username);
        assertThat(user.get("plan").asString()).isEqualTo("free");
        assertThat(user.get("subscription_status").asString()).isEqualTo("none");
        assertThat(user.get("quota").get("limit").asInt()).isEqualTo(10);
        assertThat(user.get("quota").get("used").asInt()).isZero();
        assertThat(user.get("quota").get("remaining").asInt()).isEqualTo(10);
        assertThat(user.get("quota").get("period_start").asString()).endsWith("-01T00:00:00Z");
        assertThat(user.get("created_at").asString()).isNotBlank();
    }

    @Test
    void everyRouteAnswersWithAndWithoutTrailingSlash() {
        String token = issuer.accessToken(newUser());
        assertThat(api().get("/api/auth/user", token).status()).isEqualTo(200);
        assertThat(api().get("/api/auth/user/", token).status()).isEqualTo(200);
        assertThat(api().get("/api/subscriptions/plans", null).status()).isEqualTo(200);
        assertThat(api().get("/api/subscriptions/plans/", null).status()).isEqualTo(200);
        assertThat(api().get("/api/images/gallery/", null).status()).isEqualTo(200);
    }

    @Test
    void tokenFromTheIssuersHttpEndpointIsAccepted() {
        // Exactly the README's curl: a form POST to the issuer's token endpoint.
        var form = java.net.http.HttpRequest.newBuilder(java.net.URI.create(issuer.tokenEndpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "grant_type=client_credentials&client_id=figureforge-local&client_secret=local&username="
                                + newUser()))
                .build();
        String token;
        try {
            String body = java.net.http.HttpClient.newHttpClient()
                    .send(form, java.net.http.HttpResponse.BodyHandlers.ofString())
                    .body();
            token = tools.jackson.databind.json.JsonMapper.builder()
                    .build()
                    .readTree(body)
                    .get("access_token")
                    .asString();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(api().get("/api/auth/user/", token).status()).isEqualTo(200);
    }

    @Test
    void missingTokenIs401ProblemWithBearerChallenge() {
        var response = api().get("/api/auth/user/", null);
        assertProblem(response, 401, "unauthorized");
        assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
    }

    @Test
    void idTokenIsRejected() {
        var response = api().get("/api/auth/user/", issuer.idToken(newUser()));
        assertProblem(response, 401, "unauthorized");
        assertThat(response.json().get("detail").asString()).contains("access");
    }

    @Test
    void expiredTokenIsRejected() {
        String token = issuer.accessToken(newUser(), "figureforge-local", List.of(), Duration.ofMinutes(-5));
        assertProblem(api().get("/api/auth/user/", token), 401, "unauthorized");
    }

    @Test
    void tokenForAnotherClientIsRejected() {
        String token = issuer.accessToken(newUser(), "some-other-client", List.of(), Duration.ofMinutes(5));
        assertProblem(api().get("/api/auth/user/", token), 401, "unauthorized");
    }

    @Test
    void tokenFromAnotherIssuerIsRejected() {
        assertProblem(
                api().get("/api/auth/user/", issuer.accessTokenFromIssuer("other", newUser())), 401, "unauthorized");
    }

    @Test
    void garbageTokenIsRejected() {
        assertProblem(api().get("/api/auth/user/", "not-a-jwt"), 401, "unauthorized");
    }

    @Test
    void profileUpdateChangesDisplayNameAndDefaultVisibility() {
        String token = issuer.accessToken(newUser());
        var response = api().put(
                        "/api/auth/user/update/",
                        token,
                        "{\"display_name\":\"  Ada L. \",\"default_visibility\":\"public\"}");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("display_name").asString()).isEqualTo("Ada L.");
        assertThat(response.json().get("default_visibility").asString()).isEqualTo("public");
        assertThat(api().get("/api/auth/user/", token)
                        .json()
                        .get("display_name")
                        .asString())
                .isEqualTo("Ada L.");
    }

    @Test
    void profileUpdateRejectsBadValuesWithFieldErrors() {
        String token = issuer.accessToken(newUser());
        var response = api().put(
                        "/api/auth/user/update/",
                        token,
                        "{\"display_name\":\"" + "x".repeat(65) + "\",\"default_visibility\":\"friends\"}");

        assertProblem(response, 400, "validation_failed");
        assertThat(response.json().get("errors").findValuesAsString("field"))
                .containsExactlyInAnyOrder("display_name", "default_visibility");
    }

    @Test
    void unknownFieldIs400() {
        var response = api().put("/api/auth/user/update/", issuer.accessToken(newUser()), "{\"plan\":\"studio\"}");
        assertProblem(response, 400, "unknown_field");
        assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo("plan");
    }

    @Test
    void malformedJsonIs400() {
        var response = api().put("/api/auth/user/update/", issuer.accessToken(newUser()), "{\"display_name\": ");
        assertProblem(response, 400, "malformed_json");
    }

    @Test
    void wrongTypeIsAValidationError() {
        var response = api().post("/api/images/generate/", issuer.accessToken(newUser()), "{\"num_images\":\"two\"}");
        assertProblem(response, 400, "validation_failed");
        assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo("num_images");
    }

    @Test
    void generationRequestWithBadValuesListsEveryField() {
        var response = api().post(
                        "/api/images/generate/",
                        issuer.accessToken(newUser()),
                        "{\"pose\":\"flying\",\"num_images\":2,\"seed\":-5,\"aspect_ratio\":\"2:1\",\"prompt\":\""
                                + "p".repeat(1001) + "\"}");

        assertProblem(response, 400, "validation_failed");
        assertThat(response.json().get("errors").findValuesAsString("field"))
                .containsExactlyInAnyOrder("pose", "num_images", "seed", "aspect_ratio", "prompt");
    }

    @Test
    void unknownFieldInAGenerationRequestIs400() {
        var response = api().post(
                        "/api/images/generate/", issuer.accessToken(newUser()), "{\"pose\":\"sitting\",\"steps\":50}");
        assertProblem(response, 400, "unknown_field");
    }

    @Test
    void aJsonArrayIsNotARequestBody() {
        assertProblem(
                api().post("/api/images/generate/", issuer.accessToken(newUser()), "[1,2]"), 400, "malformed_json");
    }

    @Test
    void overlongIdempotencyKeyIs400() {
        var response = api().post(
                        "/api/images/generate/",
                        issuer.accessToken(newUser()),
                        "{}",
                        java.util.Map.of("Content-Type", "application/json", "Idempotency-Key", "k".repeat(256)));
        assertProblem(response, 400, "validation_failed");
        assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo("Idempotency-Key");
    }

    @Test
    void wrongContentTypeIs415() {
        var response = api().send(
                        "POST", "/api/images/generate/", issuer.accessToken(newUser()), "text/plain", "pose=standing");
        assertProblem(response, 415, "unsupported_media_type");
    }

    @Test
    void wrongMethodIs405() {
        var response = api().send("PATCH", "/api/auth/user/", issuer.accessToken(newUser()), null, null);
        assertProblem(response, 405, "method_not_allowed");
    }

    @Test
    void changingOrDeletingACollectionIs405NotAMissingImage() {
        String token = issuer.accessToken(newUser());
        for (String collection : List.of("gallery", "user", "generate")) {
            for (String method : List.of("PATCH", "DELETE")) {
                var response = api().send(method, "/api/images/" + collection + "/", token, "application/json", "{}");
                assertProblem(response, 405, "method_not_allowed");
                assertThat(response.header("Allow"))
                        .as(method + " " + collection)
                        .isNotBlank();
            }
        }
    }

    @Test
    void unknownRouteIs404() {
        assertProblem(api().get("/api/nothing/here/", issuer.accessToken(newUser())), 404, "not_found");
    }

    @Test
    void oversizedBodyIs413() {
        String big = "{\"prompt\":\"" + "a".repeat(70_000) + "\"}";
        assertProblem(
                api().post("/api/images/generate/", issuer.accessToken(newUser()), big), 413, "payload_too_large");
    }

    @Test
    void plansArePublicAndComeFromConfiguration() {
        var response = api().get("/api/subscriptions/plans/", null);
        assertThat(response.status()).isEqualTo(200);
        JsonNode plans = response.json().get("plans");
        assertThat(plans.findValuesAsString("id")).contains("free", "hobby", "pro", "studio");
        JsonNode pro = plans.valueStream()
                .filter(p -> p.get("id").asString().equals("pro"))
                .findFirst()
                .orElseThrow();
        assertThat(pro.get("price_cents").asInt()).isEqualTo(1900);
        assertThat(pro.get("monthly_images").asInt()).isEqualTo(600);
        assertThat(pro.get("images_per_job").asInt()).isEqualTo(4);
        assertThat(pro.get("in_flight_jobs").asInt()).isEqualTo(4);
    }

    @Test
    void openApiDocumentListsEveryRoute() {
        var response = api().get("/v3/api-docs", null);
        assertThat(response.status()).isEqualTo(200);
        JsonNode paths = response.json().get("paths");
        assertThat(paths.propertyNames())
                .contains(
                        "/api/auth/user",
                        "/api/auth/user/update",
                        "/api/images/generate",
                        "/api/images/job/{jobId}",
                        "/api/images/user",
                        "/api/images/gallery",
                        "/api/subscriptions/plans",
                        "/api/subscriptions/checkout",
                        "/api/subscriptions/portal",
                        "/api/subscriptions/change",
                        "/api/subscriptions/sync",
                        "/api/webhooks/stripe",
                        "/api/auth/delete",
                        "/api/images/{imageId}",
                        "/api/images/{imageId}/report",
                        "/api/moderation/reports",
                        "/api/moderation/reports/{imageId}/restore",
                        "/api/moderation/reports/{imageId}/remove");
        assertThat(response.json().get("components").get("securitySchemes").has("bearer"))
                .isTrue();
    }

    static void assertProblem(ApiClient.Response response, int status, String code) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("code").asString()).isEqualTo(code);
        assertThat(problem.get("type").asString()).isNotBlank();
        assertThat(problem.get("title").asString()).isNotBlank();
        assertThat(problem.has("detail")).isTrue();
    }
}
