package com.figureforge.devstack.oidc;

import com.nimbusds.oauth2.sdk.TokenRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.token.OAuth2TokenCallback;

/** Mints exactly the given subject, audience and claims: for tokens made in code, not over HTTP. */
record FixedClaimsCallback(
        String issuerId, String subject, List<String> audience, Map<String, Object> claims, Duration ttl)
        implements OAuth2TokenCallback {

    @Override
    public String subject(TokenRequest tokenRequest) {
        return subject;
    }

    @Override
    public String typeHeader(TokenRequest tokenRequest) {
        return "JWT";
    }

    @Override
    public List<String> audience(TokenRequest tokenRequest) {
        return audience;
    }

    @Override
    public Map<String, Object> addClaims(TokenRequest tokenRequest) {
        return claims;
    }

    /** Seconds from issue to expiry; negative gives a token that expired before it was made. */
    @Override
    public long tokenExpiry() {
        return ttl.toSeconds();
    }
}
