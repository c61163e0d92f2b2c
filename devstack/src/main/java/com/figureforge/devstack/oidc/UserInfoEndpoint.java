package com.figureforge.devstack.oidc;

import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponseKt;
import no.nav.security.mock.oauth2.http.Route;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import okhttp3.Headers;

/**
 * {@code GET|POST /{issuer}/userinfo} as Cognito serves it: the bearer access token (signed by this
 * issuer, unexpired, {@code token_use} = access, scope {@code openid}) buys the user's {@code sub},
 * {@code username}, {@code email} and {@code email_verified}. mock-oauth2-server's own userinfo only
 * echoes the token's claims, and Cognito access tokens carry no email, so this route comes first.
 *
 * <p>The email comes from a directory of users: the one set for the user, else {@code
 * <username>@example.test}. Tests can make the endpoint fail to see that the API survives it.
 */
final class UserInfoEndpoint implements Route {

    static final String DEFAULT_EMAIL_DOMAIN = "example.test";

    private final OAuth2TokenProvider tokens;
    private final Map<String, String> emails = new ConcurrentHashMap<>();
    private volatile int failureStatus;
    private final AtomicInteger calls = new AtomicInteger();

    UserInfoEndpoint(OAuth2TokenProvider tokens) {
        this.tokens = Objects.requireNonNull(tokens);
    }

    String emailOf(String username) {
        return emails.getOrDefault(username, username + "@" + DEFAULT_EMAIL_DOMAIN);
    }

    void setEmail(String username, String email) {
        emails.put(Objects.requireNonNull(username, "username"), Objects.requireNonNull(email, "email"));
    }

    /** 0 answers normally; an HTTP status (e.g. 503) makes every call fail with it. */
    void failWith(int status) {
        this.failureStatus = status;
    }

    int calls() {
        return calls.get();
    }

    @Override
    public boolean match(OAuth2HttpRequest request) {
        List<String> segments = request.getUrl().pathSegments();
        return segments.size() == 2
                && segments.get(1).equals("userinfo")
                && ("GET".equals(request.getMethod()) || "POST".equals(request.getMethod()));
    }

    @Override
    public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
        calls.incrementAndGet();
        if (failureStatus != 0) {
            return error(failureStatus, "server_error", "the userinfo endpoint was told to fail");
        }
        String issuerId = request.getUrl().pathSegments().getFirst();
        String issuer = request.getUrl()
                .newBuilder()
                .encodedPath("/" + issuerId)
                .query(null)
                .build()
                .toString();
        JWTClaimsSet claims;
        try {
            claims = verify(bearerToken(request.getHeaders()), issuerId, issuer);
        } catch (Exception invalid) {
            return error(401, "invalid_token", Objects.toString(invalid.getMessage(), "invalid token"));
        }
        String scope = Objects.toString(claims.getClaim("scope"), "");
        if (!Arrays.asList(scope.split(" ")).contains("openid")) {
            return error(403, "insufficient_scope", "the access token has no openid scope");
        }
        Object usernameClaim = claims.getClaim("username");
        String username = usernameClaim == null ? claims.getSubject() : usernameClaim.toString();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("sub", claims.getSubject());
        body.put("username", username);
        // Cognito answers the email only to tokens with the email scope.
        if (Arrays.asList(scope.split(" ")).contains("email")) {
            body.put("email", emailOf(username));
            body.put("email_verified", "true");
        }
        return OAuth2HttpResponseKt.json(body);
    }

    private JWTClaimsSet verify(String token, String issuerId, String issuer) throws Exception {
        SignedJWT jwt = SignedJWT.parse(token);
        JWK key = tokens.publicJwkSet(issuerId).getKeyByKeyId(jwt.getHeader().getKeyID());
        if (key == null) {
            throw new IllegalArgumentException("unknown signing key");
        }
        JWSVerifier verifier = new RSASSAVerifier(key.toRSAKey());
        if (!jwt.verify(verifier)) {
            throw new IllegalArgumentException("bad signature");
        }
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        if (!issuer.equals(claims.getIssuer())) {
            throw new IllegalArgumentException("the token is from another issuer");
        }
        if (claims.getExpirationTime() == null
                || claims.getExpirationTime().toInstant().isBefore(Instant.now())) {
            throw new IllegalArgumentException("the token has expired");
        }
        if (!"access".equals(claims.getClaim("token_use"))) {
            throw new IllegalArgumentException("not an access token");
        }
        return claims;
    }

    private static String bearerToken(Headers headers) {
        String authorization = headers.get("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new IllegalArgumentException("missing bearer token");
        }
        return authorization.substring(7).strip();
    }

    private static OAuth2HttpResponse error(int status, String code, String description) {
        String body = "{\"error\":\"" + code + "\",\"error_description\":\""
                + description.replace("\\", "\\\\").replace("\"", "'") + "\"}";
        Headers headers = status == 401 || status == 403
                ? Headers.of("Content-Type", "application/json", "WWW-Authenticate", "Bearer error=\"" + code + "\"")
                : Headers.of("Content-Type", "application/json");
        return new OAuth2HttpResponse(headers, status, body, null);
    }
}
