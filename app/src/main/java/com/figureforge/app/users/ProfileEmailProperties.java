package com.figureforge.app.users;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the profile's email comes from (Cognito access tokens carry none). The issuer's OIDC
 * userinfo endpoint is asked with the caller's own token when it has the {@code openid} scope; when
 * {@code figureforge.auth.user-pool-id} is set, AdminGetUser is the fallback. Asked once per sign-in.
 *
 * @param userinfo ask the userinfo endpoint (off: AdminGetUser only, if a pool is configured)
 * @param userinfoUri the userinfo endpoint; blank: the {@code userinfo_endpoint} of the token issuer's
 *     discovery document
 * @param timeout bound on each call (connect and answer; AdminGetUser retries included): it runs on a
 *     request thread
 * @param retryAfterFailure after a failed fetch, how long this instance waits before asking for that
 *     user again (the stored email is served meanwhile)
 */
@ConfigurationProperties("figureforge.auth.email")
record ProfileEmailProperties(boolean userinfo, String userinfoUri, Duration timeout, Duration retryAfterFailure) {}
