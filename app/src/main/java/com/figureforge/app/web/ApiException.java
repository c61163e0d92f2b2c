package com.figureforge.app.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A client-visible failure: becomes problem JSON with the code's status and a human detail. */
public class ApiException extends RuntimeException {

    private final ErrorCode code;
    private final List<FieldError> errors;
    private final Map<String, Object> properties = new LinkedHashMap<>();

    public ApiException(ErrorCode code, String detail) {
        this(code, detail, List.of());
    }

    public ApiException(ErrorCode code, String detail, List<FieldError> errors) {
        super(detail);
        this.code = code;
        this.errors = List.copyOf(errors);
    }

    public ErrorCode code() {
        return code;
    }

    public List<FieldError> errors() {
        return errors;
    }

    /** Adds a member to the problem JSON (e.g. {@code portal_url}); returns this exception. */
    public ApiException with(String name, Object value) {
        properties.put(name, value);
        return this;
    }

    public Map<String, Object> properties() {
        return Map.copyOf(properties);
    }

    /** One invalid field; {@code field} uses the JSON (snake_case) name. */
    public record FieldError(String field, String message) {}
}
