package com.figureforge.devstack.oidc;

import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.token.OAuth2TokenCallback;

/**
 * Shapes tokens requested over HTTP from {@code /cognito/token} like Cognito access tokens for the
 * user named in the form: {@code username} (subject and {@code username} claim) and the optional
 * comma-separated {@code groups} ({@code cognito:groups}). An {@code email} field changes the user's
 * email in the issuer's directory (as if changed in Cognito before this sign-in): the userinfo
 * endpoint serves it, the token does not carry it, as Cognito access tokens carry no email.
 *
 * <p>For the authorization code flow (the web client's sign-in on the interactive login page) the
 * server makes the typed name the subject; {@link InteractiveSignIns} tells this callback that name, so
 * the {@code username} claim is there as in Cognito.
 *
 * <p>Nimbus parses the form into a {@link TokenRequest}; fields that are not part of the OAuth grant
 * end up in {@link TokenRequest#getCustomParameters()}.
 */
record TokenEndpointCallback(String issuerId, Duration ttl, UserInfoEndpoint directory, InteractiveSignIns signIns)
        implements OAuth2TokenCallback {

    @Override
    public String subject(TokenRequest tokenRequest) {
        String username = username(tokenRequest);
        return username != null ? username : clientId(tokenRequest);
    }

    @Override
    public String typeHeader(TokenRequest tokenRequest) {
        return "JWT";
    }

    /** Empty: mock-oauth2-server then writes no {@code aud} claim, as Cognito access tokens have none. */
    @Override
    public List<String> audience(TokenRequest tokenRequest) {
        return List.of();
    }

    @Override
    public Map<String, Object> addClaims(TokenRequest tokenRequest) {
        String scope =
                tokenRequest.getScope() == null ? null : tokenRequest.getScope().toString();
        String username = username(tokenRequest);
        if (username == null) {
            username = signedIn(tokenRequest);
        }
        String email = parameter(tokenRequest, "email");
        if (username != null && email != null && !email.isBlank()) {
            directory.setEmail(username, email.strip());
        }
        return CognitoClaims.accessToken(username, clientId(tokenRequest), groups(tokenRequest), scope);
    }

    @Override
    public long tokenExpiry() {
        return ttl.toSeconds();
    }

    private static String username(TokenRequest tokenRequest) {
        String username = parameter(tokenRequest, "username");
        return username == null || username.isBlank() ? null : username.strip();
    }

    /**
     * The user who signed in on the login page, for an authorization code exchanged with PKCE (the web
     * client's sign-in); null for other grants. Asked for the ID token and then the access token.
     */
    private String signedIn(TokenRequest tokenRequest) {
        if (tokenRequest.getAuthorizationGrant() instanceof AuthorizationCodeGrant code
                && code.getCodeVerifier() != null) {
            return signIns.usernameFor(code.getCodeVerifier().getValue());
        }
        return null;
    }

    private static List<String> groups(TokenRequest tokenRequest) {
        String groups = parameter(tokenRequest, "groups");
        if (groups == null) {
            return List.of();
        }
        return Arrays.stream(groups.split(","))
                .map(String::strip)
                .filter(g -> !g.isEmpty())
                .toList();
    }

    private static String clientId(TokenRequest tokenRequest) {
        ClientID clientId = tokenRequest.getClientAuthentication() != null
                ? tokenRequest.getClientAuthentication().getClientID()
                : tokenRequest.getClientID();
        return clientId == null ? null : clientId.getValue();
    }

    private static String parameter(TokenRequest tokenRequest, String name) {
        List<String> values = tokenRequest.getCustomParameters().get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }
}
