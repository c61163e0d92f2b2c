package com.figureforge.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.devstack.oidc.OidcIssuer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import tools.jackson.databind.JsonNode;

/**
 * The web client's files over plain HTTP: public, served with a Content-Security-Policy that allows no
 * inline code, and a configuration that names the local issuer. The browser itself: {@link
 * WebClientBrowserTest}.
 */
@FigureForgeE2E
class WebClientE2ETest {

    @LocalServerPort
    int port;

    @Autowired
    OidcIssuer issuer;

    @Autowired
    Environment environment;

    @Test
    void thePageIsPublicAndItsPolicyAllowsScriptsOnlyFromTheAppImagesFromTheBucketAndTheIssuersTokenEndpoint() {
        ApiClient.Response page = get("/", "text/html");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html");
        String policy = page.header("Content-Security-Policy");
        assertThat(policy)
                .contains("default-src 'self'", "script-src 'self';", "style-src 'self';", "frame-ancestors 'none'")
                .doesNotContain("unsafe-inline", "unsafe-eval", "*");
        String s3 = environment.getProperty("figureforge.aws.s3.endpoint");
        assertThat(policy).contains("img-src 'self' data: blob: " + s3);
        assertThat(policy).contains("connect-src 'self' http://localhost:" + issuer.port() + ";");
        assertThat(page.header("Referrer-Policy")).isEqualTo("no-referrer");
        // No inline script or event handler attribute: everything runs from /app/*.js.
        assertThat(page.body()).contains("<script type=\"module\" src=\"/app/main.js\"></script>");
        assertThat(page.body()).doesNotContainPattern("<script(?![^>]*\\ssrc=)").doesNotContainPattern("\\son[a-z]+=");
        assertThat(page.body()).doesNotContain("http://", "https://");

        assertThat(get("/index.html", "text/html").status()).isEqualTo(200);
        ApiClient.Response script = get("/app/main.js", "*/*");
        assertThat(script.status()).isEqualTo(200);
        assertThat(script.contentType()).contains("javascript");
        assertThat(script.header("Content-Security-Policy")).isEqualTo(policy);
        assertThat(get("/app/style.css", "*/*").contentType()).startsWith("text/css");
    }

    @Test
    void everyModuleTheClientLoadsIsServedAndNothingComesFromOutsideTheApp() {
        for (String file : List.of(
                "main.js",
                "auth.js",
                "api.js",
                "problems.js",
                "session.js",
                "format.js",
                "compose.js",
                "gallery.js",
                "plans.js",
                "gesture.js",
                "style.css",
                "icon.svg")) {
            ApiClient.Response response = get("/app/" + file, "*/*");
            assertThat(response.status()).as(file).isEqualTo(200);
            if (!file.endsWith(".svg")) { // an SVG names its XML namespace by URL, and loads nothing
                assertThat(response.body()).as(file).doesNotContain("http://", "https://", "eval(");
            }
        }
    }

    @Test
    void theConfigurationNamesTheIssuersEndpointsTheClientAndEveryControlWithItsPreview() {
        ApiClient.Response response = get("/config.json", "application/json");
        assertThat(response.status()).isEqualTo(200);
        JsonNode config = response.json();
        JsonNode auth = config.get("auth");
        assertThat(auth.get("client_id").asString()).isEqualTo(OidcIssuer.LOCAL_CLIENT_ID);
        assertThat(auth.get("authorization_endpoint").asString()).isEqualTo(issuer.authorizationEndpoint());
        assertThat(auth.get("token_endpoint").asString()).isEqualTo(issuer.tokenEndpoint());
        assertThat(auth.get("scope").asString()).isEqualTo("openid email profile");
        assertThat(auth.get("logout_endpoint").isNull()).isTrue();
        List<String> controls = new ArrayList<>(config.get("controls").propertyNames());
        assertThat(controls).contains("pose", "body_type", "camera_angle", "shot", "lighting", "style", "aspect_ratio");
        JsonNode contrapposto = config.get("controls").get("pose").get(1);
        assertThat(contrapposto.get("value").asString()).isEqualTo("contrapposto");
        assertThat(contrapposto.get("phrase").asString()).contains("weight on one leg");
        assertThat(config.get("max_prompt_length").asInt()).isEqualTo(1000);
        assertThat(config.get("report_reasons").size()).isPositive();
    }

    @Test
    void aMissingFileIsAProblemJson404AndTheApiKeepsItsOwnHeaders() {
        ApiClient.Response missing = get("/app/missing.js", "*/*");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.contentType()).startsWith("application/problem+json");
        assertThat(missing.json().get("code").asString()).isEqualTo("not_found");

        ApiClient.Response gallery = get("/api/images/gallery/", "application/json");
        assertThat(gallery.status()).isEqualTo(200);
        assertThat(gallery.header("Content-Security-Policy")).isNull();
    }

    private ApiClient.Response get(String path, String accept) {
        return ApiClient.sendUnchecked(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .header("Accept", accept)
                .GET()
                .build());
    }
}
