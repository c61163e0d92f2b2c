package com.figureforge.app.e2e;

import static com.figureforge.app.e2e.AuthAndErrorsE2ETest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.devstack.oidc.OidcIssuer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The API port serves the API and the probes only; actuator (health details, metrics, info) lives on
 * the management port, and health details there go to the operator group alone.
 */
@FigureForgeE2E
class ManagementPortE2ETest {

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    OidcIssuer issuer;

    private ApiClient.Response onApiPort(String path, String token) {
        return ApiClient.getUnchecked(URI.create("http://127.0.0.1:" + port + path), token);
    }

    private ApiClient.Response onManagementPort(String path, String token) {
        return ApiClient.getUnchecked(URI.create("http://127.0.0.1:" + managementPort + path), token);
    }

    private String userToken() {
        return issuer.accessToken("user-" + UUID.randomUUID().toString().substring(0, 8));
    }

    private String tokenInGroups(String... groups) {
        return issuer.accessToken(
                "ops-" + UUID.randomUUID().toString().substring(0, 8),
                "figureforge-local",
                List.of(groups),
                Duration.ofMinutes(5));
    }

    @Test
    void theApiPortAnswersTheProbesWithAStatusOnly() {
        assertThat(managementPort).isNotEqualTo(port);
        for (String probe : List.of("/livez", "/readyz")) {
            for (String token : new String[] {null, tokenInGroups("operators")}) {
                var response = onApiPort(probe, token);
                assertThat(response.status()).as(probe + " " + response.body()).isEqualTo(200);
                assertThat(response.json().get("status").asString()).isEqualTo("UP");
                assertThat(response.json().has("components"))
                        .as(probe + " shows no components")
                        .isFalse();
            }
        }
    }

    @Test
    void theApiPortHasNoActuator() {
        for (String path : List.of(
                "/actuator",
                "/actuator/health",
                "/actuator/health/readiness",
                "/actuator/prometheus",
                "/actuator/info",
                "/actuator/env")) {
            assertProblem(onApiPort(path, null), 404, "not_found");
            assertProblem(onApiPort(path, tokenInGroups("operators")), 404, "not_found");
        }
    }

    @Test
    void theManagementPortServesHealthMetricsAndInfo() {
        var readiness = onManagementPort("/actuator/health/readiness", null);
        assertThat(readiness.status()).as(readiness.body()).isEqualTo(200);
        assertThat(readiness.json().get("status").asString()).isEqualTo("UP");
        assertThat(onManagementPort("/actuator/health/liveness", null).status()).isEqualTo(200);
        var metrics = onManagementPort("/actuator/prometheus", null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("temporal_", "jvm_memory_used_bytes");
        assertThat(onManagementPort("/actuator/info", null).status()).isEqualTo(200);
        // The management port carries no API.
        assertThat(onManagementPort("/api/auth/user/", userToken()).status()).isEqualTo(404);
    }

    @Test
    void healthDetailsGoToOperatorsOnly() {
        JsonNode operator = health(tokenInGroups("operators"));
        assertThat(operator.get("components")
                        .get("dynamoDb")
                        .get("details")
                        .get("table")
                        .asString())
                .isNotBlank();
        assertThat(operator.get("components")
                        .get("s3")
                        .get("details")
                        .get("bucket")
                        .asString())
                .isNotBlank();

        for (String token : new String[] {null, userToken(), tokenInGroups("moderators", "beta")}) {
            JsonNode health = health(token);
            assertThat(health.get("status").asString()).isEqualTo("UP");
            assertThat(health.has("components")).as(health.toString()).isFalse();
            assertThat(health.toString()).doesNotContain("table", "bucket");
        }
    }

    private JsonNode health(String token) {
        var response = onManagementPort("/actuator/health", token);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }
}
