package com.figureforge.devstack.oidc;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The claims Amazon Cognito puts into its tokens, besides the registered ones ({@code sub},
 * {@code iss}, {@code iat}, {@code exp}, {@code jti}) that mock-oauth2-server adds itself.
 *
 * <p>A Cognito access token has no {@code aud} and no {@code email}; it names its app client in
 * {@code client_id} and says {@code token_use = access}. An ID token is the opposite: {@code aud} =
 * the client, {@code token_use = id}, the user's email, and the user name in {@code cognito:username}.
 */
final class CognitoClaims {

    static final String DEFAULT_SCOPE = "openid email profile";

    private CognitoClaims() {}

    /** {@code username} null makes a machine (client credentials) token: Cognito omits the claim. */
    static Map<String, Object> accessToken(String username, String clientId, List<String> groups, String scope) {
        Map<String, Object> claims = new LinkedHashMap<>();
        if (groups != null && !groups.isEmpty()) {
            claims.put("cognito:groups", List.copyOf(groups));
        }
        claims.put("version", 2);
        claims.put("client_id", clientId);
        claims.put("token_use", "access");
        claims.put("scope", scope == null || scope.isBlank() ? DEFAULT_SCOPE : scope);
        claims.put("auth_time", Instant.now().getEpochSecond());
        if (username != null) {
            claims.put("username", username);
        }
        return claims;
    }

    static Map<String, Object> idToken(String username, String email) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("cognito:username", username);
        claims.put("token_use", "id");
        claims.put("email", email);
        claims.put("email_verified", true);
        claims.put("auth_time", Instant.now().getEpochSecond());
        return claims;
    }
}
