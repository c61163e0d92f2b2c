package com.figureforge.app.users;

import com.figureforge.adapters.cognito.CognitoUserEmails;
import com.figureforge.adapters.data.UserRecord;
import com.figureforge.adapters.data.UserRepository;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * Keeps the profile's email as Cognito has it. A resource server never sees a sign-in, but every
 * Cognito access token says when its sign-in was ({@code auth_time}): when that is later than the
 * sign-in whose email is stored, the email is fetched once (userinfo with the caller's token, else
 * AdminGetUser) and stored with that sign-in. Other requests cost nothing extra.
 *
 * <p>A failed fetch never fails the request: the stored email is kept, the failure logged, and this
 * instance asks again for that user after {@code retry-after-failure}.
 */
class SignInEmails {

    private static final Logger log = LoggerFactory.getLogger(SignInEmails.class);
    private static final int FAILURES_KEPT = 10_000;

    private final UserRepository users;
    private final UserInfoEmails userInfo;
    private final CognitoUserEmails userPool;
    private final ProfileEmailProperties properties;
    private final Clock clock;
    private final Map<String, Instant> recentFailures = new ConcurrentHashMap<>();

    SignInEmails(
            UserRepository users,
            UserInfoEmails userInfo,
            CognitoUserEmails userPool,
            ProfileEmailProperties properties,
            Clock clock) {
        this.users = users;
        this.userInfo = userInfo;
        this.userPool = userPool;
        this.properties = properties;
        this.clock = clock;
    }

    /** The user as stored after refreshing the email if this token is from a later sign-in. */
    UserRecord refresh(UserRecord user, Jwt token) {
        if (!properties.userinfo() && !userPool.configured()) {
            return user;
        }
        Instant signIn = signInTime(token);
        if (signIn == null || (user.emailSignInAt() != null && !signIn.isAfter(user.emailSignInAt()))) {
            return user;
        }
        Instant now = clock.instant();
        Instant failedAt = recentFailures.get(user.id());
        if (failedAt != null && now.isBefore(failedAt.plus(properties.retryAfterFailure()))) {
            return user;
        }
        Optional<String> email;
        try {
            email = lookUp(token);
        } catch (RuntimeException e) {
            rememberFailure(user.id(), now);
            log.warn(
                    "Could not fetch the email of user {} from Cognito; keeping the stored one, asking again in {}: {}",
                    user.id(),
                    properties.retryAfterFailure(),
                    e.toString());
            return user;
        }
        recentFailures.remove(user.id());
        return users.refreshEmail(user.id(), email.orElse(null), signIn).orElse(user);
    }

    private Optional<String> lookUp(Jwt token) {
        RuntimeException userInfoFailure = null;
        if (properties.userinfo() && scopes(token).contains("openid")) {
            try {
                Optional<String> email = userInfo.email(token);
                if (email.isPresent() || !userPool.configured()) {
                    return email;
                }
            } catch (RuntimeException e) {
                if (!userPool.configured()) {
                    throw e;
                }
                userInfoFailure = e;
            }
        }
        if (!userPool.configured()) {
            return Optional.empty();
        }
        String username = token.getClaimAsString("username");
        try {
            return userPool.email(username == null || username.isBlank() ? token.getSubject() : username);
        } catch (RuntimeException e) {
            if (userInfoFailure != null) {
                e.addSuppressed(userInfoFailure);
            }
            throw e;
        }
    }

    /** {@code auth_time}, which Cognito puts in every access token; {@code iat} if a token lacks it. */
    private static Instant signInTime(Jwt token) {
        Object authTime = token.getClaims().get("auth_time");
        if (authTime instanceof Number seconds) {
            return Instant.ofEpochSecond(seconds.longValue());
        }
        if (authTime instanceof Instant instant) {
            return instant;
        }
        return token.getIssuedAt();
    }

    private static List<String> scopes(Jwt token) {
        String scope = token.getClaimAsString("scope");
        return scope == null ? List.of() : List.of(scope.trim().split("\\s+"));
    }

    private void rememberFailure(String userId, Instant now) {
        if (recentFailures.size() >= FAILURES_KEPT) {
            Instant expired = now.minus(properties.retryAfterFailure());
            recentFailures.values().removeIf(failedAt -> failedAt.isBefore(expired));
        }
        recentFailures.put(userId, now);
    }
}
