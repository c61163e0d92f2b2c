package com.figureforge.devstack.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class OidcIssuerTest {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static OidcIssuer issuer;

    @BeforeAll
    static void start() {
        issuer = OidcIssuer.start(0);
    }

    @AfterAll
    static void stop() {
        issuer.close();
    }

    @Test
    void theDocumentedCurlGetsACognitoShapedAccessTokenForTheNamedUser() throws Exception {
        JsonNode response = postTokenForm(
                "grant_type=client_credentials&client_id=figureforge-local&client_secret=local&username=alice");

        assertThat(response.get("token_type").asString()).isEqualToIgnoringCase("Bearer");
        JsonNode claims = payload(response.get("access_token").asString());
        assertThat(claims.get("sub").asString()).isEqualTo("alice");
        assertThat(claims.get("username").asString()).isEqualTo("alice");
        assertThat(claims.get("token_use").asString()).isEqualTo("access");
        assertThat(claims.get("client_id").asString()).isEqualTo("figureforge-local");
        assertThat(claims.get("scope").asString()).isNotBlank();
        assertThat(claims.get("iss").asString()).isEqualTo(issuer.issuerUri());
        long now = Instant.now().getEpochSecond();
        assertThat(claims.get("iat").asLong()).isBetween(now - 60, now + 5);
        assertThat(claims.get("exp").asLong()).isGreaterThan(now + 3000);
        assertThat(claims.has("aud")).as("Cognito access tokens carry no aud").isFalse();
        assertThat(claims.get("auth_time").asLong()).isBetween(now - 60, now + 5);
        assertThat(claims.get("scope").asString().split(" ")).contains("openid", "email");
        assertThat(claims.has("cognito:groups")).isFalse();
        assertThat(claims.has("email")).isFalse();
    }

    @Test
    void anotherUserClientAndGroupsComeFromTheFormAndTheEmailGoesToUserInfoNotTheToken() throws Exception {
        JsonNode response = postTokenForm("grant_type=client_credentials&client_id=mobile-app&client_secret=x"
                + "&username=bob&groups=admin,%20beta&email=bob%40example.com");
        assertThat(userInfo(response.get("access_token").asString())
                        .get("email")
                        .asString())
                .isEqualTo("bob@example.com");

        JsonNode claims = payload(response.get("access_token").asString());
        assertThat(claims.get("sub").asString()).isEqualTo("bob");
        assertThat(claims.get("username").asString()).isEqualTo("bob");
        assertThat(claims.get("client_id").asString()).isEqualTo("mobile-app");
        assertThat(strings(claims.get("cognito:groups"))).containsExactly("admin", "beta");
        assertThat(claims.has("email")).isFalse();
        assertThat(claims.has("aud")).isFalse();
    }

    @Test
    void publishesDiscoveryDocumentAndSigningKeys() throws Exception {
        JsonNode discovery = JSON.readTree(get(issuer.issuerUri() + "/.well-known/openid-configuration"));
        assertThat(discovery.get("issuer").asString()).isEqualTo(issuer.issuerUri());
        assertThat(discovery.get("jwks_uri").asString()).isEqualTo(issuer.jwksUri());
        assertThat(discovery.get("token_endpoint").asString()).isEqualTo(issuer.tokenEndpoint());
        assertThat(discovery.get("userinfo_endpoint").asString()).isEqualTo(issuer.userInfoEndpoint());

        JsonNode jwks = JSON.readTree(get(issuer.jwksUri()));
        assertThat(jwks.get("keys").size()).isGreaterThan(0);
        assertThat(jwks.get("keys").get(0).get("kty").asString()).isEqualTo("RSA");
        assertThat(jwks.get("keys").get(0).has("d"))
                .as("no private key material")
                .isFalse();
    }

    @Test
    void tokensMintedInCodeAndOverHttpAreSignedWithTheIssuersPublishedKey() throws Exception {
        RSAKey key = JWKSet.parse(get(issuer.jwksUri())).getKeys().getFirst().toRSAKey();
        RSASSAVerifier verifier = new RSASSAVerifier(key);
        String overHttp = postTokenForm(
                        "grant_type=client_credentials&client_id=figureforge-local&client_secret=local&username=alice")
                .get("access_token")
                .asString();

        assertThat(SignedJWT.parse(overHttp).verify(verifier)).isTrue();
        assertThat(SignedJWT.parse(issuer.accessToken("alice")).verify(verifier))
                .isTrue();
        assertThat(SignedJWT.parse(issuer.idToken("alice")).verify(verifier)).isTrue();
        assertThat(SignedJWT.parse(issuer.accessTokenFromIssuer("other", "alice"))
                        .verify(verifier))
                .as("another issuer signs with another key")
                .isFalse();
    }

    @Test
    void programmaticAccessTokenCarriesTheGivenClientGroupsAndExpiry() {
        JsonNode claims =
                payload(issuer.accessToken("carol", "admin-console", List.of("admin"), Duration.ofMinutes(-5)));

        assertThat(claims.get("sub").asString()).isEqualTo("carol");
        assertThat(claims.get("username").asString()).isEqualTo("carol");
        assertThat(claims.get("token_use").asString()).isEqualTo("access");
        assertThat(claims.get("client_id").asString()).isEqualTo("admin-console");
        assertThat(strings(claims.get("cognito:groups"))).containsExactly("admin");
        assertThat(claims.get("iss").asString()).isEqualTo(issuer.issuerUri());
        assertThat(claims.has("aud")).isFalse();
        assertThat(claims.get("exp").asLong())
                .as("already expired")
                .isLessThan(Instant.now().minusSeconds(240).getEpochSecond());
    }

    @Test
    void idTokenAndForeignIssuerTokenDifferOnlyWhereTheyShould() {
        JsonNode id = payload(issuer.idToken("dave"));
        assertThat(id.get("token_use").asString()).isEqualTo("id");
        assertThat(strings(id.get("aud"))).containsExactly(OidcIssuer.LOCAL_CLIENT_ID);
        assertThat(id.get("email").asString()).isEqualTo("dave@example.test");
        assertThat(id.get("cognito:username").asString()).isEqualTo("dave");
        assertThat(id.get("iss").asString()).isEqualTo(issuer.issuerUri());

        JsonNode foreign = payload(issuer.accessTokenFromIssuer("other", "erin"));
        assertThat(foreign.get("iss").asString())
                .isEqualTo(issuer.issuerUriFor("other"))
                .isNotEqualTo(issuer.issuerUri());
        assertThat(foreign.get("username").asString()).isEqualTo("erin");
        assertThat(foreign.get("token_use").asString()).isEqualTo("access");
    }

    @Test
    void userInfoAnswersTheUsersEmailToTheirAccessToken() throws Exception {
        String token = postTokenForm(
                        "grant_type=client_credentials&client_id=figureforge-local&client_secret=local&username=frank")
                .get("access_token")
                .asString();

        JsonNode info = userInfo(token);
        assertThat(info.get("sub").asString()).isEqualTo("frank");
        assertThat(info.get("username").asString()).isEqualTo("frank");
        assertThat(info.get("email").asString()).isEqualTo("frank@example.test");
        assertThat(info.get("email_verified").asString()).isEqualTo("true");
        assertThat(userInfo(issuer.accessToken("frank")).get("email").asString())
                .isEqualTo("frank@example.test");

        issuer.setEmail("frank", "frank@new.example");
        assertThat(userInfo(token).get("email").asString())
                .as("the directory answers, not the token")
                .isEqualTo("frank@new.example");
        assertThat(issuer.emailOf("frank")).isEqualTo("frank@new.example");
    }

    @Test
    void userInfoWantsTheOpenidScopeForAnythingAndTheEmailScopeForTheEmail() throws Exception {
        assertThat(userInfoCall(issuer.accessTokenWithScope("gina", "aws.cognito.signin.user.admin"))
                        .statusCode())
                .isEqualTo(403);
        JsonNode withoutEmail = JSON.readTree(userInfoCall(issuer.accessTokenWithScope("gina", "openid profile"))
                .body());
        assertThat(withoutEmail.get("sub").asString()).isEqualTo("gina");
        assertThat(withoutEmail.has("email")).isFalse();
    }

    @Test
    void userInfoRefusesWhatIsNotAValidAccessTokenOfThisIssuer() throws Exception {
        assertThat(userInfoCall(null).statusCode()).isEqualTo(401);
        assertThat(userInfoCall("not-a-jwt").statusCode()).isEqualTo(401);
        assertThat(userInfoCall(issuer.idToken("hank")).statusCode()).isEqualTo(401);
        assertThat(userInfoCall(issuer.accessTokenFromIssuer("other", "hank")).statusCode())
                .isEqualTo(401);
        HttpResponse<String> expired =
                userInfoCall(issuer.accessToken("hank", OidcIssuer.LOCAL_CLIENT_ID, List.of(), Duration.ofMinutes(-5)));
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(expired.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(v -> assertThat(v).contains("invalid_token"));
    }

    @Test
    void userInfoCanBeToldToFail() throws Exception {
        String token = issuer.accessToken("ivan");
        int before = issuer.userInfoCalls();
        issuer.failUserInfo(503);
        try {
            assertThat(userInfoCall(token).statusCode()).isEqualTo(503);
        } finally {
            issuer.failUserInfo(0);
        }
        assertThat(userInfoCall(token).statusCode()).isEqualTo(200);
        assertThat(issuer.userInfoCalls()).isEqualTo(before + 2);
    }

    @Test
    void theWebClientsSignInCodeFlowWithPkceGivesACognitoShapedAccessTokenForTheNameTyped() throws Exception {
        String verifier = "web-client-verifier-" + "x".repeat(40);
        String challenge = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(java.security.MessageDigest.getInstance("SHA-256")
                        .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        String redirect = "http://localhost:8080/";
        String authorize = issuer.authorizationEndpoint() + "?response_type=code&client_id=figureforge-local"
                + "&redirect_uri=" + java.net.URLEncoder.encode(redirect, StandardCharsets.UTF_8)
                + "&scope=openid%20email%20profile&state=s-1&code_challenge=" + challenge
                + "&code_challenge_method=S256";

        HttpResponse<String> page = HTTP.send(
                HttpRequest.newBuilder(URI.create(authorize)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("name=\"username\"");

        HttpResponse<String> login = HTTP.send(
                HttpRequest.newBuilder(URI.create(authorize))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("username=carol&claims="))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(302);
        URI back = URI.create(login.headers().firstValue("Location").orElseThrow());
        assertThat(back.toString()).startsWith(redirect).contains("state=s-1");
        String code = back.getQuery().replaceAll(".*code=([^&]+).*", "$1");

        String exchange = "grant_type=authorization_code&client_id=figureforge-local&code=" + code + "&redirect_uri="
                + java.net.URLEncoder.encode(redirect, StandardCharsets.UTF_8) + "&code_verifier=";
        HttpResponse<String> wrongVerifier = HTTP.send(
                tokenRequest(exchange + "x".repeat(60), "http://localhost:8080"), HttpResponse.BodyHandlers.ofString());
        assertThat(wrongVerifier.statusCode()).as(wrongVerifier.body()).isEqualTo(400);

        // The failed exchange spent the code: sign in again, then exchange with the right verifier.
        login = HTTP.send(
                HttpRequest.newBuilder(URI.create(authorize))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("username=carol&claims="))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        code = URI.create(login.headers().firstValue("Location").orElseThrow())
                .getQuery()
                .replaceAll(".*code=([^&]+).*", "$1");
        exchange = exchange.replaceAll("code=[^&]+", "code=" + code);
        HttpResponse<String> tokens = HTTP.send(
                tokenRequest(exchange + verifier, "http://localhost:8080"), HttpResponse.BodyHandlers.ofString());
        assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
        // The browser reads the answer across origins (the app and the issuer are different origins).
        assertThat(tokens.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://localhost:8080");
        JsonNode response = JSON.readTree(tokens.body());
        assertThat(response.get("refresh_token").asString()).isNotBlank();
        JsonNode claims = payload(response.get("access_token").asString());
        assertThat(claims.get("sub").asString()).isEqualTo("carol");
        assertThat(claims.get("username").asString()).isEqualTo("carol");
        assertThat(claims.get("token_use").asString()).isEqualTo("access");
        assertThat(claims.get("client_id").asString()).isEqualTo("figureforge-local");
        assertThat(claims.has("aud")).isFalse();
        assertThat(claims.get("auth_time").asLong()).isGreaterThan(Instant.now().getEpochSecond() - 60);
    }

    private static HttpRequest tokenRequest(String form, String origin) {
        return HttpRequest.newBuilder(URI.create(issuer.tokenEndpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Origin", origin)
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
    }

    private static JsonNode userInfo(String token) throws Exception {
        HttpResponse<String> response = userInfoCall(token);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> userInfoCall(String token) throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(issuer.userInfoEndpoint())).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode postTokenForm(String form) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(issuer.tokenEndpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> response =
                HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url).isEqualTo(200);
        return response.body();
    }

    private static JsonNode payload(String jwt) {
        String[] parts = jwt.split("\\.");
        assertThat(parts).hasSize(3);
        return JSON.readTree(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    }

    private static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node == null) {
            return values;
        }
        if (node.isArray()) {
            node.valueStream().forEach(v -> values.add(v.asString()));
        } else {
            values.add(node.asString());
        }
        return values;
    }
}
