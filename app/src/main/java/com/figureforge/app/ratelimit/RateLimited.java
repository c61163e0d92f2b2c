package com.figureforge.app.ratelimit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the rate-limit policy of a route. Routes that take the caller are limited by the {@code user}
 * policy without it; public routes are limited (per client address) only when they carry it.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface RateLimited {

    /** The policy under {@code figureforge.rate-limits.policies}. */
    String value();
}
