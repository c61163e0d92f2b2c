package com.figureforge.devstack.oidc;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local OpenID Connect issuer (mock-oauth2-server) with issuer id {@code cognito} that mints
 * tokens shaped like Amazon Cognito's, so the API validates them exactly as it would real ones
 * (issuer, JWKS signature, {@code token_use}, {@code client_id}, {@code cognito:groups}).
 *
 * <p>Over HTTP, for the local run:
 *
 * <pre>
 * curl -s -X POST http://localhost:9090/cognito/token -d grant_type=client_credentials \
 *   -d client_id=figureforge-local -d client_secret=local -d username=alice [-d groups=admin,beta]
 * </pre>
 *
 * answers a token response whose {@code access_token} has {@code sub} and {@code username} = alice,
 * {@code token_use} = access, {@code client_id} = the requested client, {@code scope} ({@code openid
 * email profile} unless the form asks for another), {@code auth_time} (the sign-in: now), {@code
 * cognito:groups} (when given), {@code iss}, {@code iat}, {@code exp} and no {@code aud}. Without
 * {@code username} it is a machine token: {@code sub} = the client id and no {@code username}, as
 * Cognito's client-credentials tokens are. The client secret is not checked.
 *
 * <p>Like Cognito, it serves the user's email at its userinfo endpoint ({@link #userInfoEndpoint()},
 * named in the discovery document) to an access token with the {@code openid email} scope: {@code
 * <username>@example.test} unless {@link #setEmail} or the token form's {@code -d email=...} set
 * another. The access tokens themselves never carry an email.
 *
 * <p>For browsers (the web client) it offers the authorization code flow with PKCE at {@link
 * #authorizationEndpoint()}: an interactive login page that takes any user name, then the code exchange
 * at the token endpoint (CORS allowed), which mints the same Cognito-shaped access token for that user.
 *
 * <p>The issuer takes its name from the host the client used: call it as {@code localhost} (as
 * {@link #issuerUri()} does), not {@code 127.0.0.1}, or the {@code iss} claim will not match.
 */
public final class OidcIssuer implements AutoCloseable {

    public static final String ISSUER_ID = "cognito";
    public static final String LOCAL_CLIENT_ID = "figureforge-local";
    public static final Duration DEFAULT_TOKEN_TTL = Duration.ofHours(1);

    private static final Logger log = LoggerFactory.getLogger(OidcIssuer.class);

    private final MockOAuth2Server server;
    private final UserInfoEndpoint userInfo;
    private final int port;

    private OidcIssuer(MockOAuth2Server server, UserInfoEndpoint userInfo, int port) {
        this.server = server;
        this.userInfo = userInfo;
        this.port = port;
    }

    /** Starts on {@code localhost:port}; 0 picks a free port. The local run uses 9090. */
    public static OidcIssuer start(int port) {
        try {
            return start(InetAddress.getByName("localhost"), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("localhost does not resolve", e);
        }
    }

    /**
     * Starts on another interface (the stand-ins container). {@link #issuerUri()} still names
     * localhost: tokens minted from the host through a published port carry that issuer.
     */
    public static OidcIssuer start(InetAddress host, int port) {
        OAuth2TokenProvider tokens = new OAuth2TokenProvider();
        UserInfoEndpoint userInfo = new UserInfoEndpoint(tokens);
        InteractiveSignIns signIns = new InteractiveSignIns();
        // Interactive login: the authorize endpoint shows a page that takes any user name (the web client).
        OAuth2Config config = new OAuth2Config(
                true,
                null,
                null,
                false,
                tokens,
                Set.of(new TokenEndpointCallback(ISSUER_ID, DEFAULT_TOKEN_TTL, userInfo, signIns)));
        // Extra routes come before the server's own, so this userinfo replaces its token-echoing one; the
        // sign-in watcher sees every request first and handles none.
        MockOAuth2Server server = new MockOAuth2Server(config, signIns, userInfo);
        server.start(host, port);
        OidcIssuer issuer = new OidcIssuer(server, userInfo, server.baseUrl().port());
        log.info("OIDC issuer (Cognito stand-in) at {}", issuer.issuerUri());
        return issuer;
    }

    /** For {@code spring.security.oauth2.resourceserver.jwt.issuer-uri}, e.g. http://localhost:9090/cognito. */
    public String issuerUri() {
        return issuerUriFor(ISSUER_ID);
    }

    public String jwksUri() {
        return issuerUri() + "/jwks";
    }

    /** The authorization endpoint of the code flow (with PKCE); its login page takes any user name. */
    public String authorizationEndpoint() {
        return issuerUri() + "/authorize";
    }

    public String tokenEndpoint() {
        return issuerUri() + "/token";
    }

    /** Where access tokens with the {@code openid} scope buy the user's profile, as in Cognito. */
    public String userInfoEndpoint() {
        return issuerUri() + "/userinfo";
    }

    /** The email the userinfo endpoint answers for {@code username}. */
    public String emailOf(String username) {
        return userInfo.emailOf(username);
    }

    /** Changes the user's email, as an admin or the user would in Cognito; tokens are unaffected. */
    public void setEmail(String username, String email) {
        userInfo.setEmail(username, email);
    }

    /**
     * Makes the userinfo endpoint answer {@code status} (e.g. 503) to every call until called with 0,
     * to show that callers survive an outage.
     */
    public void failUserInfo(int status) {
        userInfo.failWith(status);
    }

    /** How many userinfo calls the endpoint has answered (failed ones included). */
    public int userInfoCalls() {
        return userInfo.calls();
    }

    public int port() {
        return port;
    }

    /** An access token for {@code username} from the local client, valid for an hour, no groups. */
    public String accessToken(String username) {
        return accessToken(username, LOCAL_CLIENT_ID, List.of(), DEFAULT_TOKEN_TTL);
    }

    /**
     * An access token with the given client and groups. A negative {@code ttl} gives a token that
     * expired that long ago; resource servers allow some clock skew (Spring: 60 s), so use minutes.
     */
    public String accessToken(String username, String clientId, List<String> groups, Duration ttl) {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(clientId, "clientId");
        return mint(
                ISSUER_ID,
                clientId,
                username,
                List.of(),
                CognitoClaims.accessToken(username, clientId, groups, null),
                ttl);
    }

    /** An access token for {@code username} whose sign-in ({@code auth_time}) was at {@code signedInAt}. */
    public String accessTokenSignedInAt(String username, Instant signedInAt) {
        Objects.requireNonNull(username, "username");
        Map<String, Object> claims = CognitoClaims.accessToken(username, LOCAL_CLIENT_ID, List.of(), null);
        claims.put("auth_time", signedInAt.getEpochSecond());
        return mintForLocalClient(ISSUER_ID, username, List.of(), claims);
    }

    /** An access token for {@code username} with the given {@code scope} (e.g. without {@code openid}). */
    public String accessTokenWithScope(String username, String scope) {
        Objects.requireNonNull(username, "username");
        return mintForLocalClient(
                ISSUER_ID, username, List.of(), CognitoClaims.accessToken(username, LOCAL_CLIENT_ID, List.of(), scope));
    }

    /** A Cognito ID token (token_use = id, aud = the local client, an email): not an access token. */
    public String idToken(String username) {
        Objects.requireNonNull(username, "username");
        return mintForLocalClient(
                ISSUER_ID, username, List.of(LOCAL_CLIENT_ID), CognitoClaims.idToken(username, emailOf(username)));
    }

    /**
     * A Cognito-shaped access token from another issuer on this server (e.g. "other"): its {@code
     * iss} and signing key differ, all else is as {@link #accessToken(String)} makes it.
     */
    public String accessTokenFromIssuer(String issuerId, String username) {
        Objects.requireNonNull(issuerId, "issuerId");
        Objects.requireNonNull(username, "username");
        return mintForLocalClient(
                issuerId, username, List.of(), CognitoClaims.accessToken(username, LOCAL_CLIENT_ID, List.of(), null));
    }

    /** The issuer URI tokens from {@link #accessTokenFromIssuer} carry. */
    public String issuerUriFor(String issuerId) {
        return "http://localhost:" + port + "/" + issuerId;
    }

    @Override
    public void close() {
        server.shutdown();
    }

    /** A token for the local client with the default lifetime. */
    private String mintForLocalClient(
            String issuerId, String username, List<String> audience, Map<String, Object> claims) {
        return mint(issuerId, LOCAL_CLIENT_ID, username, audience, claims, DEFAULT_TOKEN_TTL);
    }

    private String mint(
            String issuerId,
            String clientId,
            String subject,
            List<String> audience,
            Map<String, Object> claims,
            Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        FixedClaimsCallback callback = new FixedClaimsCallback(issuerId, subject, audience, claims, ttl);
        return server.issueToken(issuerId, clientId, callback).serialize();
    }
}
