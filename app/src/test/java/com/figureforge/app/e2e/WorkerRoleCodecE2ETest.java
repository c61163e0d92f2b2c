package com.figureforge.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.app.devstack.DevStack;
import com.figureforge.app.devstack.DevStackInitializer;
import com.figureforge.devstack.oidc.OidcIssuer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;

/**
 * The worker role serves one port, the management port: the codec server is there too (the management
 * configuration loads into the main context when the ports are the same). A context of its own, since
 * the role is a profile.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        // No management port of its own, as in the worker role (there both are 8081; a port 0 would count
        // as "different" and start a second server).
        properties = "management.server.port=")
@ActiveProfiles({"local", "worker"})
@Import(DevStack.class)
@ContextConfiguration(initializers = DevStackInitializer.class)
class WorkerRoleCodecE2ETest {

    @LocalServerPort
    int port;

    @Autowired
    OidcIssuer issuer;

    @Test
    void theWorkerRoleServesTheCodecServerForOperatorsAndNoApi() {
        String operator =
                issuer.accessToken("ops-worker", "figureforge-local", List.of("operators"), Duration.ofMinutes(5));
        String data = Base64.getEncoder().encodeToString("\"x\"".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String body = "{\"payloads\":[{\"metadata\":{},\"data\":\"" + data + "\"}]}";

        var encoded = post("/codec/encode", operator, body);
        var anonymous = post("/codec/encode", null, body);

        assertThat(encoded.status()).as(encoded.body()).isEqualTo(200);
        assertThat(encoded.body()).contains("\"encryption-key-id\":\"bG9jYWwtZGV2\""); // base64 of local-dev
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(ApiClient.getUnchecked(URI.create("http://127.0.0.1:" + port + "/api/auth/user/"), operator)
                        .status())
                .as("the worker role serves no API")
                .isEqualTo(404);
    }

    private ApiClient.Response post(String path, String token, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return ApiClient.sendUnchecked(request.build());
    }
}
