package com.figureforge.app.ratelimit;

import com.figureforge.app.users.CurrentUser;
import java.util.Arrays;
import java.util.Optional;
import org.springframework.stereotype.Component;
import org.springframework.web.method.HandlerMethod;

/**
 * Which routes are limited, by which policy and per what: the limiter and the OpenAPI document (its 429
 * {@code rate_limited}) both ask here, so they cannot disagree. Health, metrics, webhooks and unknown
 * paths are never limited: they take no caller and name no policy.
 */
@Component
public class RateLimitedRoutes {

    static final String USER_POLICY = "user";

    /** A route's policy and whether it counts per user (else per client address). */
    record Route(String policy, boolean perUser) {}

    Optional<Route> route(HandlerMethod handler) {
        boolean perUser = Arrays.stream(handler.getMethodParameters())
                .anyMatch(p -> p.getParameterType().equals(CurrentUser.class));
        RateLimited declared = handler.getMethodAnnotation(RateLimited.class);
        if (declared != null) {
            return Optional.of(new Route(declared.value(), perUser));
        }
        return perUser ? Optional.of(new Route(USER_POLICY, true)) : Optional.empty();
    }

    /** Whether the route can answer 429 {@code rate_limited}. */
    public boolean limited(HandlerMethod handler) {
        return route(handler).isPresent();
    }
}
