package com.figureforge.app.web;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Turns every error a client can cause into RFC 9457 problem JSON with a stable {@code code}.
 * Spring's base class covers the framework's exceptions (405, 415, 406, 404 ...); we add the code,
 * field errors for validation and JSON mapping, and our own {@link ApiException}.
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    private final Problems problems;

    ProblemHandler(Problems problems) {
        this.problems = problems;
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ProblemDetail> api(ApiException e, HttpServletRequest request) {
        ProblemDetail problem = Problems.of(e.code(), e.getMessage(), e.errors());
        e.properties().forEach(problem::setProperty);
        return respond(problem, request);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> typeMismatch(MethodArgumentTypeMismatchException e, HttpServletRequest request) {
        String field = e.getName();
        return respond(
                Problems.of(
                        ErrorCode.VALIDATION_FAILED,
                        "Invalid value for " + field,
                        List.of(new ApiException.FieldError(field, "has an invalid value"))),
                request);
    }

    /** Tomcat parses the query string lazily and throws on a broken one (e.g. {@code ?=}): the client's fault. */
    @ExceptionHandler(InvalidParameterException.class)
    ResponseEntity<ProblemDetail> malformedQuery(InvalidParameterException e, HttpServletRequest request) {
        return respond(Problems.of(ErrorCode.BAD_REQUEST, "The query string is malformed."), request);
    }

    @ExceptionHandler(AccessDeniedException.class)
    ResponseEntity<ProblemDetail> denied(AccessDeniedException e, HttpServletRequest request) {
        return respond(Problems.of(ErrorCode.FORBIDDEN, "You may not do this."), request);
    }

    @ExceptionHandler(AuthenticationException.class)
    ResponseEntity<ProblemDetail> unauthenticated(AuthenticationException e, HttpServletRequest request) {
        return respond(Problems.of(ErrorCode.UNAUTHORIZED, e.getMessage()), request);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e, HttpServletRequest request) {
        log.error("Unhandled error on {} {}", request.getMethod(), request.getRequestURI(), e);
        return respond(Problems.of(ErrorCode.INTERNAL_ERROR, "Something went wrong on our side."), request);
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleMethodArgumentNotValid(
            MethodArgumentNotValidException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<ApiException.FieldError> errors = e.getBindingResult().getFieldErrors().stream()
                .map(error -> new ApiException.FieldError(snake(error.getField()), error.getDefaultMessage()))
                .toList();
        return withCode(Problems.of(ErrorCode.VALIDATION_FAILED, summary(errors), errors), headers);
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleHandlerMethodValidationException(
            HandlerMethodValidationException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<ApiException.FieldError> errors = new ArrayList<>();
        e.getParameterValidationResults()
                .forEach(result -> result.getResolvableErrors()
                        .forEach(error -> errors.add(new ApiException.FieldError(
                                snake(result.getMethodParameter().getParameterName()), error.getDefaultMessage()))));
        return withCode(Problems.of(ErrorCode.VALIDATION_FAILED, summary(errors), errors), headers);
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof RequestBodyLimitFilter.BodyTooLargeException tooLarge) {
                return withCode(Problems.of(ErrorCode.PAYLOAD_TOO_LARGE, tooLarge.getMessage()), headers);
            }
            if (cause instanceof UnrecognizedPropertyException unknown) {
                String field = unknown.getPropertyName();
                return withCode(
                        Problems.of(
                                ErrorCode.UNKNOWN_FIELD,
                                "Unknown field '" + field + "'",
                                List.of(new ApiException.FieldError(field, "is not a known field"))),
                        headers);
            }
            if (cause instanceof DatabindException mapping && !mapping.getPath().isEmpty()) {
                String field = mapping.getPath().stream()
                        .map(ref -> ref.getPropertyName() != null ? ref.getPropertyName() : "[" + ref.getIndex() + "]")
                        .collect(Collectors.joining("."));
                return withCode(
                        Problems.of(
                                ErrorCode.VALIDATION_FAILED,
                                "Invalid value for '" + field + "'",
                                List.of(new ApiException.FieldError(field, "has the wrong type or format"))),
                        headers);
            }
            if (cause instanceof JacksonException) {
                break;
            }
        }
        String detail = e.getCause() == null
                ? "A JSON request body is required."
                : "The request body is not a valid JSON object.";
        return withCode(Problems.of(ErrorCode.MALFORMED_JSON, detail), headers);
    }

    /**
     * A client that accepts no JSON would otherwise get an empty 406: the problem itself is not acceptable
     * to it. It gets the problem JSON anyway (RFC 9110 allows answering with a type not asked for).
     */
    @Override
    protected @Nullable ResponseEntity<Object> handleHttpMediaTypeNotAcceptable(
            HttpMediaTypeNotAcceptableException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        if (request instanceof ServletWebRequest servlet && servlet.getResponse() != null) {
            try {
                problems.write(
                        servlet.getRequest(),
                        servlet.getResponse(),
                        ErrorCode.NOT_ACCEPTABLE,
                        "This route answers with application/json only.");
                return null;
            } catch (IOException writeFailed) {
                log.debug("Could not write the 406 problem", writeFailed);
            }
        }
        return super.handleHttpMediaTypeNotAcceptable(e, headers, status, request);
    }

    /** Adds our {@code code} to the problems Spring builds for its own exceptions (405, 415, 404 ...). */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(
            Exception e, @Nullable Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        if (body instanceof ProblemDetail problem
                && problem.getProperties() != null
                && problem.getProperties().containsKey("code")) {
            return super.handleExceptionInternal(e, body, headers, status, request);
        }
        ErrorCode code = ErrorCode.forStatus(status.value());
        ProblemDetail problem = body instanceof ProblemDetail existing
                ? existing
                : e instanceof ErrorResponse response ? response.getBody() : ProblemDetail.forStatus(status);
        if (problem.getDetail() == null) {
            problem.setDetail(code.title() + ".");
        }
        problem.setType(URI.create(code.type()));
        if (problem.getTitle() == null) {
            problem.setTitle(code.title());
        }
        problem.setProperty("code", code.code());
        // Preset, so a client whose Accept excludes JSON still gets the problem, not an empty body.
        HttpHeaders problemHeaders = new HttpHeaders();
        problemHeaders.putAll(headers);
        problemHeaders.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return super.handleExceptionInternal(e, problem, problemHeaders, status, request);
    }

    private ResponseEntity<Object> withCode(ProblemDetail problem, HttpHeaders headers) {
        return ResponseEntity.status(problem.getStatus()).headers(headers).body(problem);
    }

    /** Always problem JSON, whatever the client accepts: an empty answer would tell it nothing. */
    private static ResponseEntity<ProblemDetail> respond(ProblemDetail problem, HttpServletRequest request) {
        problem.setInstance(URI.create(request.getRequestURI()));
        return ResponseEntity.status(problem.getStatus())
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }

    private static String summary(List<ApiException.FieldError> errors) {
        return errors.isEmpty()
                ? "The request is invalid."
                : errors.stream().map(e -> e.field() + " " + e.message()).collect(Collectors.joining("; "));
    }

    /** Bean property names are camelCase; clients know the snake_case JSON names. */
    static String snake(String name) {
        return name == null
                ? null
                : name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
