package com.figureforge.app.ratelimit;

import com.figureforge.adapters.data.RateLimitCounters.Window;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Request rate limits ({@code figureforge.rate-limits} in application.yml; docs/operations.md).
 *
 * @param enabled off: nothing is limited (the routes still declare their 429)
 * @param trustedProxies CIDRs of the proxies whose {@code X-Forwarded-For} names the client; empty:
 *     the connection's address is the client and the header is ignored
 * @param policies by name: {@code user} (every authenticated route without a policy of its own) and
 *     those routes name with {@link RateLimited} ({@code generate}, {@code gallery}, {@code plans})
 */
@ConfigurationProperties("figureforge.rate-limits")
public record RateLimitProperties(boolean enabled, List<String> trustedProxies, Map<String, Policy> policies) {

    public RateLimitProperties {
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
        policies = policies == null ? Map.of() : Map.copyOf(policies);
    }

    /**
     * @param windows the limits every caller gets, e.g. 30 per 1m and a burst of 5 per 10s
     * @param plans a plan's own windows in place of {@code windows} (per-user policies only)
     */
    public record Policy(List<Limit> windows, Map<String, List<Limit>> plans) {

        public Policy {
            windows = windows == null ? List.of() : List.copyOf(windows);
            plans = plans == null ? Map.of() : Map.copyOf(plans);
        }

        /** The counter windows for a plan (null: the default), shortest first: a burst refuses cheapest. */
        List<Window> windowsFor(String name, String plan) {
            List<Limit> limits = plan == null ? windows : plans.getOrDefault(plan, windows);
            List<Window> named = new ArrayList<>();
            for (int i = 0; i < limits.size(); i++) {
                Limit limit = limits.get(i);
                // The first window carries the policy's name; further ones (bursts) say their length.
                String windowName = i == 0 ? name : name + "-" + limit.per().toSeconds() + "s";
                named.add(new Window(windowName, limit.requests(), limit.per()));
            }
            named.sort(Comparator.comparing(Window::length));
            return named;
        }
    }

    /** At most {@code requests} per {@code per} (whole seconds); checked at start-up, not per request. */
    public record Limit(int requests, Duration per) {
        public Limit {
            if (requests < 1 || per == null || per.toSeconds() < 1) {
                throw new IllegalArgumentException(
                        "a rate limit needs requests >= 1 and per >= 1s, got " + requests + " per " + per);
            }
        }
    }
}
