package com.figureforge.app.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/**
 * Verifies each access token once: a token that passed the signature and claim checks is kept, keyed
 * by the SHA-256 of its text (the bearer secret itself is not kept as a key), until its {@code exp};
 * after that it goes to the verifier again, which refuses it. Failures are never kept: a refused token
 * is checked afresh every time. Revocation is what it was: a resource server never asked Cognito
 * whether a token was revoked, so a signed-out token worked until {@code exp} before this cache too.
 */
final class VerifiedTokenCache implements JwtDecoder {

    private final JwtDecoder verifier;
    private final Clock clock;
    private final Cache<String, Jwt> verified;
    private final Counter verifications;

    VerifiedTokenCache(JwtDecoder verifier, Clock clock, int maxTokens, MeterRegistry meters) {
        this.verifier = verifier;
        this.clock = clock;
        this.verified = Caffeine.newBuilder()
                .maximumSize(maxTokens)
                .expireAfter(Expiry.<String, Jwt>creating((key, jwt) -> untilExpiry(jwt)))
                .build();
        this.verifications = Counter.builder("figureforge.auth.token.verifications")
                .description("Access tokens whose signature and claims were checked (cache misses)")
                .register(meters);
    }

    @Override
    public Jwt decode(String token) throws JwtException {
        String key = sha256(token);
        Jwt cached = verified.getIfPresent(key);
        if (cached != null && clock.instant().isBefore(cached.getExpiresAt())) {
            return cached;
        }
        verifications.increment();
        Jwt jwt = verifier.decode(token);
        if (jwt.getExpiresAt() != null && clock.instant().isBefore(jwt.getExpiresAt())) {
            verified.put(key, jwt);
        }
        return jwt;
    }

    private Duration untilExpiry(Jwt jwt) {
        Duration left = Duration.between(clock.instant(), jwt.getExpiresAt());
        return left.isNegative() ? Duration.ZERO : left;
    }

    private static String sha256(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
