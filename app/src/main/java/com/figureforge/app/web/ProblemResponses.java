package com.figureforge.app.web;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The problem codes a route answers with beyond those its shape implies: {@link ProblemResponsesCustomizer}
 * adds 401 and the account codes for routes that take the caller, the body codes for routes that read
 * one, and 500 everywhere. The end-to-end tests check every answer against the result.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface ProblemResponses {

    /** Codes this route's own logic can answer with. */
    ErrorCode[] value() default {};

    /** Implied codes this route never answers with (e.g. account deletion is allowed while deleting). */
    ErrorCode[] excluding() default {};
}
