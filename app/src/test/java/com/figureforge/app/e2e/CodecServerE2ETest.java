package com.figureforge.app.e2e;

import static com.figureforge.app.e2e.AuthAndErrorsE2ETest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.UserRepository;
import com.figureforge.devstack.oidc.OidcIssuer;
import com.figureforge.workflows.WorkflowIds;
import com.figureforge.workflows.payloads.EncryptingPayloadCodec;
import com.google.protobuf.util.JsonFormat;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.client.WorkflowClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * Temporal payloads are encrypted in the local stack (a dev key), and the codec server on the management
 * port lets operators, and only operators, encode and decode them over HTTP, as the Web UI does.
 */
@FigureForgeE2E
class CodecServerE2ETest {

    private static final String UI_ORIGIN = "http://localhost:8088";

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    OidcIssuer issuer;

    @Autowired
    UserRepository users;

    @Autowired
    WorkflowClient temporal;

    private String operator() {
        return tokenInGroups("operators");
    }

    private String tokenInGroups(String... groups) {
        return issuer.accessToken(
                "ops-" + UUID.randomUUID().toString().substring(0, 8),
                "figureforge-local",
                List.of(groups),
                Duration.ofMinutes(5));
    }

    private ApiClient.Response post(int onPort, String path, String token, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + onPort + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("X-Namespace", "default")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return ApiClient.sendUnchecked(request.build());
    }

    private static String payloadsJson(String... texts) {
        StringBuilder json = new StringBuilder("{\"payloads\":[");
        for (int i = 0; i < texts.length; i++) {
            json.append(i == 0 ? "" : ",")
                    .append("{\"metadata\":{\"encoding\":\"")
                    .append(base64("json/plain"))
                    .append("\"},\"data\":\"")
                    .append(base64(texts[i]))
                    .append("\"}");
        }
        return json.append("]}").toString();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static String decoded(JsonNode payload, String field) {
        return new String(
                Base64.getDecoder().decode(payload.get(field).asString()), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void anOperatorEncodesAndDecodesPayloadsRoundTrip() {
        String original = payloadsJson("{\"prompt\":\"a dancer\"}", "\"second\"");

        var encoded = post(managementPort, "/codec/encode", operator(), original);
        assertThat(encoded.status()).as(encoded.body()).isEqualTo(200);
        assertThat(encoded.contentType()).startsWith("application/json");
        List<JsonNode> sealed = encoded.json().get("payloads").valueStream().toList();
        assertThat(sealed).hasSize(2).allSatisfy(payload -> {
            assertThat(decoded(payload.get("metadata"), "encoding")).isEqualTo("binary/encrypted");
            assertThat(decoded(payload.get("metadata"), "encryption-key-id")).isEqualTo("local-dev");
            assertThat(decoded(payload, "data")).doesNotContain("dancer");
        });

        var decoded = post(managementPort, "/codec/decode/", operator(), encoded.body());
        assertThat(decoded.status()).as(decoded.body()).isEqualTo(200);
        List<JsonNode> opened = decoded.json().get("payloads").valueStream().toList();
        assertThat(opened).hasSize(2);
        assertThat(decoded(opened.get(0), "data")).isEqualTo("{\"prompt\":\"a dancer\"}");
        assertThat(decoded(opened.get(0).get("metadata"), "encoding")).isEqualTo("json/plain");
        assertThat(decoded(opened.get(1), "data")).isEqualTo("\"second\"");

        // A payload that was never encrypted (histories from before) decodes as it is.
        var plain = post(managementPort, "/codec/decode", operator(), original);
        assertThat(plain.status()).isEqualTo(200);
        assertThat(decoded(plain.json().get("payloads").get(0), "data")).isEqualTo("{\"prompt\":\"a dancer\"}");
    }

    @Test
    void aJobsWorkflowHistoryHoldsCiphertextThatTheCodecServerOpens() throws Exception {
        var api = new ApiClient(port);
        var user = new E2ESupport(api, issuer, users).newUser("free");
        String marker = "codec" + UUID.randomUUID().toString().substring(0, 8);
        String jobId =
                new E2ESupport(api, issuer, users).startJob(user, "{\"prompt\":\"a figure reading, " + marker + "\"}");

        var history = temporal.fetchHistory(WorkflowIds.imageGeneration(jobId));
        assertThat(history.toJson(false)).doesNotContain(marker);
        List<Payload> input = history.getHistory()
                .getEvents(0)
                .getWorkflowExecutionStartedEventAttributes()
                .getInput()
                .getPayloadsList();
        assertThat(input)
                .isNotEmpty()
                .allSatisfy(
                        p -> assertThat(EncryptingPayloadCodec.isEncrypted(p)).isTrue());

        String request = JsonFormat.printer()
                .print(Payloads.newBuilder().addAllPayloads(input).build());
        var decoded = post(managementPort, "/codec/decode", operator(), request);
        assertThat(decoded.status()).as(decoded.body()).isEqualTo(200);
        assertThat(decoded(decoded.json().get("payloads").get(0), "data")).contains(marker);
    }

    @Test
    void onlyTheOperatorGroupMayUseIt() {
        String body = payloadsJson("\"x\"");
        for (String path : List.of("/codec/encode", "/codec/decode")) {
            assertProblem(post(managementPort, path, null, body), 401, "unauthorized");
            assertProblem(
                    post(managementPort, path, issuer.accessToken("user-" + UUID.randomUUID()), body),
                    403,
                    "forbidden");
            assertProblem(post(managementPort, path, tokenInGroups("moderators", "beta"), body), 403, "forbidden");
        }
    }

    @Test
    void theApiPortDoesNotServeIt() {
        assertProblem(post(port, "/codec/decode", operator(), payloadsJson("\"x\"")), 404, "not_found");
        assertProblem(post(port, "/codec/decode", null, payloadsJson("\"x\"")), 401, "unauthorized");
    }

    @Test
    void garbageAndTamperingAnswerProblems() {
        assertProblem(post(managementPort, "/codec/decode", operator(), "{not json"), 400, "malformed_json");
        var encoded = post(managementPort, "/codec/encode", operator(), payloadsJson("\"secret\""));
        JsonNode payload = encoded.json().get("payloads").get(0);
        byte[] data = Base64.getDecoder().decode(payload.get("data").asString());
        data[data.length - 1] ^= 1;
        String tampered = "{\"payloads\":[{\"metadata\":" + payload.get("metadata") + ",\"data\":\""
                + Base64.getEncoder().encodeToString(data) + "\"}]}";
        var refused = post(managementPort, "/codec/decode", operator(), tampered);
        assertProblem(refused, 400, "bad_request");
        assertThat(refused.body()).contains("failed authentication").doesNotContain("secret");
    }

    @Test
    void theWebUisPreflightIsAnsweredForItsOriginOnly() {
        var preflight = ApiClient.sendUnchecked(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/codec/decode"))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .header("Origin", UI_ORIGIN)
                        .header("Access-Control-Request-Method", "POST")
                        .header("Access-Control-Request-Headers", "authorization,content-type,x-namespace")
                        .build());
        assertThat(preflight.status()).as(preflight.body()).isEqualTo(200);
        assertThat(preflight.header("Access-Control-Allow-Origin")).isEqualTo(UI_ORIGIN);
        assertThat(preflight.header("Access-Control-Allow-Methods")).contains("POST");
        assertThat(preflight.header("Access-Control-Allow-Headers").toLowerCase())
                .contains("authorization", "content-type", "x-namespace");
        assertThat(preflight.header("Access-Control-Allow-Credentials")).isEqualTo("true");

        var actual = ApiClient.sendUnchecked(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/codec/encode"))
                        .header("Origin", UI_ORIGIN)
                        .header("Authorization", "Bearer " + operator())
                        .header("Content-Type", "application/json")
                        .header("X-Namespace", "default")
                        .POST(HttpRequest.BodyPublishers.ofString(payloadsJson("\"x\"")))
                        .build());
        assertThat(actual.status()).isEqualTo(200);
        assertThat(actual.header("Access-Control-Allow-Origin")).isEqualTo(UI_ORIGIN);

        var foreign = ApiClient.sendUnchecked(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/codec/decode"))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .header("Origin", "https://evil.example")
                        .header("Access-Control-Request-Method", "POST")
                        .build());
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.header("Access-Control-Allow-Origin")).isNull();
    }
}
