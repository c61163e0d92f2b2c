package com.figureforge.devstack.oidc;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.Route;

/**
 * Remembers who signed in on the interactive login page, so that the access token of the authorization
 * code flow carries the Cognito {@code username} claim. mock-oauth2-server makes the login name the token's
 * subject but hands our token callback only the token request; the PKCE challenge links the two: the
 * login form is posted to the authorize URL that carries {@code code_challenge}, and the token request
 * carries the {@code code_verifier} whose S256 hash it is.
 *
 * <p>It only watches: {@link #match} records the login and answers false, so the server's own login
 * handling runs as before.
 */
final class InteractiveSignIns implements Route {

    private final Map<String, String> usernamesByChallenge = new ConcurrentHashMap<>();

    @Override
    public boolean match(OAuth2HttpRequest request) {
        List<String> segments = request.getUrl().pathSegments();
        if ("POST".equals(request.getMethod())
                && segments.size() == 2
                && segments.get(1).equals("authorize")) {
            String challenge = request.getUrl().queryParameter("code_challenge");
            String username = formField(request.getBody(), "username");
            if (challenge != null && username != null && !username.isBlank()) {
                usernamesByChallenge.put(challenge, username.strip());
            }
        }
        return false;
    }

    @Override
    public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
        throw new IllegalStateException("InteractiveSignIns never matches a request");
    }

    /**
     * The name typed on the login page of the sign-in this PKCE verifier completes, else null. Kept, not
     * taken: the ID token and the access token of one exchange both ask (a local server's few sign-ins).
     */
    String usernameFor(String codeVerifier) {
        return codeVerifier == null ? null : usernamesByChallenge.get(s256(codeVerifier));
    }

    private static String s256(String codeVerifier) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(codeVerifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static String formField(String body, String name) {
        if (body == null) {
            return null;
        }
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0
                    && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8)
                            .equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
