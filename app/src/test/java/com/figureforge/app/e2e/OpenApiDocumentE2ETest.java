package com.figureforge.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The served document states, for every operation, its tag, description, security and every status
 * with its schema; it is written to {@code app/target/openapi/openapi.json} for the linters in CI
 * ({@code .ci/lint-openapi}). Whether the answers match it is checked by {@link ApiClient} on every call.
 */
@FigureForgeE2E
class OpenApiDocumentE2ETest {

    private static final List<String> PUBLIC = List.of(
            "get /api/images/gallery",
            "get /api/subscriptions/plans",
            "post /api/webhooks/fal",
            "post /api/webhooks/stripe");

    @LocalServerPort
    int port;

    @Test
    void everyOperationStatesTagsSecurityAndItsProblemResponses() throws Exception {
        var response = new ApiClient(port).get("/v3/api-docs", null);
        assertThat(response.status()).isEqualTo(200);
        JsonNode document = response.json();
        List<String> operations = new ArrayList<>();
        document.get("paths")
                .properties()
                .forEach(path -> path.getValue().properties().forEach(entry -> {
                    String name = entry.getKey() + " " + path.getKey();
                    JsonNode operation = entry.getValue();
                    operations.add(name);
                    assertThat(operation.get("tags")).as(name).isNotEmpty();
                    assertThat(operation.get("description").asString()).as(name).isNotBlank();
                    assertThat(operation.has("security"))
                            .as(name + " states its security")
                            .isTrue();
                    assertThat(operation.get("security").isEmpty())
                            .as(name + " is public")
                            .isEqualTo(PUBLIC.contains(name));
                    assertThat(
                                    operation.get("parameters") == null
                                            ? List.of()
                                            : operation.get("parameters").findValuesAsString("name"))
                            .as(name + " takes the caller from the token, not a parameter")
                            .doesNotContain("caller");
                    assertThat(operation.get("responses").propertyNames())
                            .as(name)
                            .contains("500");
                    operation.get("responses").properties().forEach(answer -> {
                        if (answer.getKey().startsWith("4") || answer.getKey().startsWith("5")) {
                            assertThat(answer.getValue().get("content").propertyNames())
                                    .as(name + " " + answer.getKey())
                                    .containsExactly("application/problem+json");
                        }
                    });
                }));
        assertThat(operations).hasSize(23);
        JsonNode problem = document.get("components").get("schemas").get("Problem");
        assertThat(problem.get("properties")
                        .get("code")
                        .get("enum")
                        .valueStream()
                        .map(JsonNode::asString))
                .contains("quota_exceeded", "unauthorized", "idempotency_key_reused");
        // The answers' members are the wire's snake_case names.
        assertThat(document.get("components")
                        .get("schemas")
                        .get("JobView")
                        .get("properties")
                        .propertyNames())
                .contains("job_id", "created_at");

        Path out = Path.of("target", "openapi", "openapi.json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, response.body());
    }

    @Test
    void publicRoutesRejectABadTokenAsDocumented() {
        // Public routes need no token, but one that is sent is checked: the document lists their 401.
        var api = new ApiClient(port);
        assertThat(api.get("/api/images/gallery/", "not-a-jwt").status()).isEqualTo(401);
        assertThat(api.get("/api/subscriptions/plans", "not-a-jwt").status()).isEqualTo(401);
        assertThat(api.get("/api/subscriptions/plans/", null).status()).isEqualTo(200);
    }

    @Test
    void generateDeclaresItsAnswersAndProblems() {
        JsonNode generate = new ApiClient(port)
                .get("/v3/api-docs", null)
                .json()
                .get("paths")
                .get("/api/images/generate")
                .get("post");
        assertThat(generate.get("responses").propertyNames())
                .containsExactlyInAnyOrder(
                        "202", "400", "401", "402", "409", "410", "413", "415", "422", "429", "500", "503");
        assertThat(generate.get("responses").get("202").get("headers").propertyNames())
                .contains("Location", "Idempotent-Replayed");
        JsonNode conflict = generate.get("responses")
                .get("409")
                .get("content")
                .get("application/problem+json")
                .get("schema");
        assertThat(conflict.get("allOf")
                        .get(1)
                        .get("properties")
                        .get("code")
                        .get("enum")
                        .valueStream()
                        .map(JsonNode::asString))
                .containsExactlyInAnyOrder("idempotency_key_in_progress", "account_deleting");
    }
}
