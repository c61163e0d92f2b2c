package com.figureforge.app.users;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.security.oauth2.jwt.Jwt;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The caller's email from the token issuer's OIDC userinfo endpoint, asked with the caller's own
 * access token (Cognito answers the email to tokens with the {@code openid email} scope). The
 * endpoint is configured or discovered once per issuer from its discovery document.
 */
class UserInfoEmails {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http;
    private final Duration timeout;
    private final URI configuredEndpoint;
    private final Map<String, URI> discovered = new ConcurrentHashMap<>();

    /** @param endpoint the userinfo endpoint, or null to discover it from the token's issuer */
    UserInfoEmails(URI endpoint, Duration timeout) {
        this.configuredEndpoint = endpoint;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * The email userinfo answers for this token's user; empty if it answers none (e.g. the token lacks
     * the {@code email} scope).
     *
     * @throws UserInfoException if the endpoint cannot be found, fails, times out, or answers for
     *     another subject
     */
    Optional<String> email(Jwt token) {
        JsonNode info = get(endpoint(token), token.getTokenValue());
        // OIDC Core 5.3.2: the answer's sub must be the token's, else it must not be used.
        if (!token.getSubject().equals(text(info, "sub"))) {
            throw new UserInfoException("userinfo answered for another subject");
        }
        return Optional.ofNullable(text(info, "email")).filter(email -> !email.isBlank());
    }

    private URI endpoint(Jwt token) {
        if (configuredEndpoint != null) {
            return configuredEndpoint;
        }
        String issuer = String.valueOf(token.getIssuer());
        URI known = discovered.get(issuer);
        if (known != null) {
            return known;
        }
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        String endpoint = text(get(URI.create(base + "/.well-known/openid-configuration"), null), "userinfo_endpoint");
        if (endpoint == null || endpoint.isBlank()) {
            throw new UserInfoException("the discovery document of " + issuer + " names no userinfo_endpoint");
        }
        URI uri = URI.create(endpoint);
        discovered.put(issuer, uri);
        return uri;
    }

    private JsonNode get(URI uri, String bearerToken) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Accept", "application/json")
                .GET();
        if (bearerToken != null) {
            request.header("Authorization", "Bearer " + bearerToken);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UserInfoException("GET " + uri + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserInfoException("interrupted while calling " + uri, e);
        }
        if (response.statusCode() != 200) {
            throw new UserInfoException("GET " + uri + " answered " + response.statusCode());
        }
        try {
            return JSON.readTree(response.body());
        } catch (JacksonException e) {
            throw new UserInfoException("GET " + uri + " answered no JSON", e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || !value.isString() ? null : value.asString();
    }

    /** The userinfo endpoint could not be asked or gave no usable answer. */
    static final class UserInfoException extends RuntimeException {
        UserInfoException(String message) {
            super(message);
        }

        UserInfoException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
