package com.figureforge.app.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * The cache in front of a real signature-checking decoder (Nimbus, RSA): the wrapper around it counts
 * how often a token is really verified.
 */
class VerifiedTokenCacheTest {

    private static final Instant START = Instant.parse("2026-11-29T12:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private final KeyPair keys = rsa();
    private final AtomicInteger verified = new AtomicInteger();
    private final JwtDecoder counting = token -> {
        verified.incrementAndGet();
        return nimbus(keys, clock).decode(token);
    };
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final VerifiedTokenCache cache = new VerifiedTokenCache(counting, clock, 100, meters);

    @Test
    void aVerifiedTokenIsNotVerifiedAgainUntilItExpires() {
        String token = sign(keys, "alice", START.plusSeconds(300));

        Jwt first = cache.decode(token);
        clock.set(START.plusSeconds(299));
        Jwt again = cache.decode(token);

        assertThat(again).isSameAs(first);
        assertThat(verified).hasValue(1);
        assertThat(meters.get("figureforge.auth.token.verifications").counter().count())
                .isEqualTo(1);
    }

    @Test
    void anExpiredTokenGoesBackToTheVerifierWhichRefusesIt() {
        String token = sign(keys, "bob", START.plusSeconds(60));
        cache.decode(token);

        clock.set(START.plusSeconds(61));

        assertThatThrownBy(() -> cache.decode(token)).isInstanceOf(JwtException.class);
        assertThat(verified).hasValue(2);
    }

    @Test
    void aRefusedTokenIsNeverKept() {
        String forged = sign(rsa(), "mallory", START.plusSeconds(300));

        assertThatThrownBy(() -> cache.decode(forged)).isInstanceOf(JwtException.class);
        assertThatThrownBy(() -> cache.decode(forged)).isInstanceOf(JwtException.class);
        assertThat(verified).hasValue(2);
    }

    @Test
    void anotherTokenOfTheSameUserIsVerifiedOnItsOwn() {
        cache.decode(sign(keys, "carol", START.plusSeconds(300)));
        cache.decode(sign(keys, "carol", START.plusSeconds(301)));

        assertThat(verified).hasValue(2);
    }

    private static JwtDecoder nimbus(KeyPair keys, Clock clock) {
        NimbusJwtDecoder decoder =
                NimbusJwtDecoder.withPublicKey((RSAPublicKey) keys.getPublic()).build();
        var timestamps = new JwtTimestampValidator(Duration.ZERO);
        timestamps.setClock(clock);
        decoder.setJwtValidator(timestamps);
        return decoder;
    }

    private static String sign(KeyPair keys, String subject, Instant expiresAt) {
        try {
            var jwt = new SignedJWT(
                    new JWSHeader(JWSAlgorithm.RS256),
                    new JWTClaimsSet.Builder()
                            .subject(subject)
                            .issueTime(Date.from(START))
                            .expirationTime(Date.from(expiresAt))
                            .build());
            jwt.sign(new RSASSASigner(keys.getPrivate()));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
