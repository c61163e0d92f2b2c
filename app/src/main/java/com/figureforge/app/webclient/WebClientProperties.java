package com.figureforge.app.webclient;

import java.net.URI;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How the artists' web client (served at {@code /}) signs in, and what its Content-Security-Policy allows
 * besides the app itself ({@code figureforge.web-client}; README, "Web client").
 *
 * @param clientId the Cognito app client (public, no secret) the browser signs in with
 * @param authorizationUri the authorization endpoint (Cognito Hosted UI: {@code https://<domain>/oauth2/authorize})
 * @param tokenUri the token endpoint ({@code https://<domain>/oauth2/token}); its origin joins {@code connect-src}
 * @param logoutUri the Hosted UI's logout endpoint ({@code https://<domain>/logout}); unset: sign-out only
 *     forgets the tokens
 * @param scopes the scopes asked for, space-separated
 * @param imageOrigins origins images may come from besides the bucket and the public images' CDN
 */
@ConfigurationProperties("figureforge.web-client")
public record WebClientProperties(
        String clientId, URI authorizationUri, URI tokenUri, URI logoutUri, String scopes, List<String> imageOrigins) {

    public WebClientProperties {
        scopes = scopes == null || scopes.isBlank() ? "openid email profile" : scopes;
        imageOrigins = imageOrigins == null ? List.of() : List.copyOf(imageOrigins);
    }
}
