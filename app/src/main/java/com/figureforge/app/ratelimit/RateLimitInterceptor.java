package com.figureforge.app.ratelimit;

import com.figureforge.adapters.data.RateLimitCounters;
import com.figureforge.adapters.data.RateLimitCounters.Decision;
import com.figureforge.adapters.data.RateLimitCounters.Window;
import com.figureforge.adapters.data.UserRecord;
import com.figureforge.adapters.data.UserRepository;
import com.figureforge.app.ratelimit.RateLimitedRoutes.Route;
import com.figureforge.app.users.UserRecordCache;
import com.figureforge.app.web.ErrorCode;
import com.figureforge.app.web.Problems;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Enforces the rate limits once Spring MVC has matched the route (so unknown paths, which 404, are not
 * counted) and after security (so the caller's id is known). Every answer of a limited route carries
 * the IETF {@code RateLimit-Policy} and {@code RateLimit} fields; a refused one is 429 {@code rate_limited}
 * with {@code Retry-After}.
 */
class RateLimitInterceptor implements HandlerInterceptor {

    private static final Logger log = LoggerFactory.getLogger(RateLimitInterceptor.class);

    private final RateLimitProperties properties;
    private final RateLimitedRoutes routes;
    private final RateLimitCounters counters;
    private final UserRepository users;
    private final UserRecordCache recentUsers;
    private final ClientAddresses addresses;
    private final Problems problems;

    RateLimitInterceptor(
            RateLimitProperties properties,
            RateLimitedRoutes routes,
            RateLimitCounters counters,
            UserRepository users,
            UserRecordCache recentUsers,
            Problems problems) {
        this.properties = properties;
        this.routes = routes;
        this.counters = counters;
        this.users = users;
        this.recentUsers = recentUsers;
        this.addresses = new ClientAddresses(properties.trustedProxies());
        this.problems = problems;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
            throws Exception {
        if (!properties.enabled() || !(handler instanceof HandlerMethod method)) {
            return true;
        }
        Route route = routes.route(method).orElse(null);
        if (route == null) {
            return true;
        }
        RateLimitProperties.Policy policy = properties.policies().get(route.policy());
        if (policy == null || policy.windows().isEmpty()) {
            return true; // a policy left out of the configuration limits nothing
        }
        String userId = route.perUser() ? callerId() : null;
        if (route.perUser() && userId == null) {
            return true; // security answers 401 before this; nothing to count against
        }
        String subject = userId != null
                ? RateLimitCounters.userSubject(userId)
                : RateLimitCounters.addressSubject(addresses.of(request));
        Decision decision;
        List<Window> windows;
        try {
            windows = policy.windowsFor(route.policy(), plan(policy, userId));
            decision = counters.take(subject, windows);
        } catch (SdkException e) {
            // Fail open: a limiter outage must not take the API down (the routes need DynamoDB anyway).
            log.warn("rate limit check failed for {}; letting the request through", route.policy(), e);
            return true;
        }
        response.setHeader(
                "RateLimit-Policy",
                windows.stream().map(RateLimitInterceptor::policyField).collect(Collectors.joining(", ")));
        long seconds = Math.max(1, (decision.resetAfter().toMillis() + 999) / 1000);
        response.setHeader(
                "RateLimit", "\"" + decision.window().name() + "\";r=" + decision.remaining() + ";t=" + seconds);
        if (decision.allowed()) {
            return true;
        }
        response.setHeader("Retry-After", Long.toString(seconds));
        problems.write(
                request,
                response,
                ErrorCode.RATE_LIMITED,
                "Rate limit \"" + decision.window().name() + "\" of "
                        + decision.window().requests() + " requests per "
                        + decision.window().length().toSeconds() + " s reached; retry in " + seconds + " s.");
        return false;
    }

    private static String policyField(Window window) {
        return "\"" + window.name() + "\";q=" + window.requests() + ";w="
                + window.length().toSeconds();
    }

    private static String callerId() {
        var authentication = SecurityContextHolder.getContext().getAuthentication();
        return authentication != null && authentication.getPrincipal() instanceof Jwt jwt ? jwt.getSubject() : null;
    }

    /** The caller's plan, read only for policies that differ per plan (a GetItem unless cached). */
    private String plan(RateLimitProperties.Policy policy, String userId) {
        if (userId == null || policy.plans().isEmpty()) {
            return null;
        }
        UserRecord user = recentUsers.get(userId, () -> users.find(userId).orElse(null));
        return user == null ? null : user.plan();
    }
}
