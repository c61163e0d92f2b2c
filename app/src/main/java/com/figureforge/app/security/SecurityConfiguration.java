package com.figureforge.app.security;

import com.figureforge.app.config.CacheProperties;
import com.figureforge.app.config.FigureForgeProperties;
import com.figureforge.app.moderation.ModerationProperties;
import com.figureforge.app.payloads.CodecServerProperties;
import com.figureforge.app.web.ErrorCode;
import com.figureforge.app.web.Problems;
import com.figureforge.app.webclient.WebClientConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.HashSet;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.oauth2.server.resource.web.access.BearerTokenAccessDeniedHandler;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Stateless bearer-token security. Public: the web client's files, the gallery, the plans, Stripe's webhook (it carries its
 * own signature), the probes, the management port's actuator and the API docs. Everything else
 * under /api needs a Cognito access token; /api/moderation also membership of the moderator group. 401 and 403 answer in problem JSON, with the standard
 * WWW-Authenticate header.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    SecurityFilterChain api(
            HttpSecurity http, Problems problems, ModerationProperties moderation, CodecServerProperties codec)
            throws Exception {
        var entryPoint = new BearerTokenAuthenticationEntryPoint();
        var deniedHandler = new BearerTokenAccessDeniedHandler();
        return http.csrf(csrf -> csrf.disable())
                .cors(Customizer.withDefaults())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(cache -> cache.disable())
                .authorizeHttpRequests(auth -> auth.requestMatchers(HttpMethod.GET, "/api/images/gallery")
                        .permitAll()
                        .requestMatchers(HttpMethod.GET, "/api/subscriptions/plans")
                        .permitAll()
                        .requestMatchers(HttpMethod.POST, "/api/webhooks/stripe", "/api/webhooks/fal")
                        .permitAll()
                        .requestMatchers(HttpMethod.GET, "/livez", "/readyz")
                        .permitAll()
                        // The management port serves these (details only to operators); the API port
                        // has no actuator, so there they end in a plain 404.
                        .requestMatchers(HttpMethod.GET, "/actuator", "/actuator/**")
                        .permitAll()
                        .requestMatchers("/v3/api-docs/**", "/v3/api-docs", "/swagger-ui/**", "/swagger-ui.html")
                        .permitAll()
                        .requestMatchers("/error")
                        .permitAll()
                        // The web client's page, scripts, styles and configuration; it calls the API with a token.
                        .requestMatchers(HttpMethod.GET, WebClientConfiguration.PATHS)
                        .permitAll()
                        // The review queue: the moderator group only ("cognito:groups", mapped to ROLE_*).
                        .requestMatchers("/api/moderation", "/api/moderation/**")
                        .hasRole(moderation.moderatorGroup())
                        // The codec server (management port) decrypts Temporal payloads: operators only.
                        // CORS preflights are answered before this, by the CORS filter.
                        .requestMatchers("/codec/**")
                        .hasRole(codec.operatorGroup())
                        .anyRequest()
                        .authenticated())
                .oauth2ResourceServer(oauth -> oauth.jwt(Customizer.withDefaults())
                        .authenticationEntryPoint((request, response, e) -> {
                            entryPoint.commence(request, response, e);
                            problems.write(request, response, ErrorCode.UNAUTHORIZED, describe(e));
                        })
                        .accessDeniedHandler((request, response, e) -> {
                            deniedHandler.handle(request, response, e);
                            problems.write(request, response, ErrorCode.FORBIDDEN, "You may not do this.");
                        }))
                .exceptionHandling(ex -> ex.authenticationEntryPoint((request, response, e) -> {
                            entryPoint.commence(request, response, e);
                            problems.write(request, response, ErrorCode.UNAUTHORIZED, describe(e));
                        })
                        .accessDeniedHandler((request, response, e) -> {
                            deniedHandler.handle(request, response, e);
                            problems.write(request, response, ErrorCode.FORBIDDEN, "You may not do this.");
                        }))
                .build();
    }

    /**
     * No observation per security filter, authentication and authorization: with a registry present,
     * Spring Security wraps each of its dozen filters in one, which the benchmark's profile found on
     * every request. The request's own observation (http.server.requests) still times it, outcome included.
     */
    @Bean
    static SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }

    /**
     * Wraps the JWT decoder Spring Boot builds from the issuer (with its validators) in {@link
     * VerifiedTokenCache}, so each token's signature is checked once per replica, not per request.
     */
    @Bean
    static BeanPostProcessor verifiedTokenCache(
            ObjectProvider<Clock> clock, ObjectProvider<CacheProperties> caches, ObjectProvider<MeterRegistry> meters) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof JwtDecoder decoder && !(bean instanceof VerifiedTokenCache)) {
                    return new VerifiedTokenCache(
                            decoder,
                            clock.getIfAvailable(Clock::systemUTC),
                            caches.getObject().maxTokens(),
                            meters.getIfAvailable(SimpleMeterRegistry::new));
                }
                return bean;
            }
        };
    }

    @Bean
    OAuth2TokenValidator<Jwt> cognitoAccessTokenValidator(FigureForgeProperties properties) {
        return new CognitoAccessTokenValidator(new HashSet<>(properties.auth().allowedClientIds()));
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        if (message == null || message.startsWith("Full authentication is required")) {
            return "A bearer access token is required.";
        }
        return message;
    }
}
