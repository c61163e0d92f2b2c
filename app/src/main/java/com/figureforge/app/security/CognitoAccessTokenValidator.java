package com.figureforge.app.security;

import java.util.Set;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * Accepts Cognito access tokens only. Cognito access tokens carry no {@code aud}: the app client is
 * in {@code client_id}, and {@code token_use} tells access from ID tokens (an ID token must never
 * authorize an API call). Spring Boot adds this bean to the issuer-uri decoder's validators, next to
 * its own issuer and expiry checks.
 */
class CognitoAccessTokenValidator implements OAuth2TokenValidator<Jwt> {

    private final Set<String> allowedClientIds;

    CognitoAccessTokenValidator(Set<String> allowedClientIds) {
        this.allowedClientIds = Set.copyOf(allowedClientIds);
    }

    @Override
    public OAuth2TokenValidatorResult validate(Jwt token) {
        if (!"access".equals(token.getClaimAsString("token_use"))) {
            return invalid("Only access tokens are accepted (token_use must be 'access').");
        }
        String clientId = token.getClaimAsString("client_id");
        if (clientId == null || !allowedClientIds.contains(clientId)) {
            return invalid("The token was issued to a client this API does not accept.");
        }
        if (token.getSubject() == null || token.getSubject().isBlank()) {
            return invalid("The token has no subject.");
        }
        return OAuth2TokenValidatorResult.success();
    }

    private static OAuth2TokenValidatorResult invalid(String description) {
        return OAuth2TokenValidatorResult.failure(new OAuth2Error(OAuth2ErrorCodes.INVALID_TOKEN, description, null));
    }
}
