package com.figureforge.app.web;

import java.util.List;

/** A client-visible failure: becomes problem JSON with the code's status and a human detail. */
public class ApiException extends RuntimeException {

    private final ErrorCode code;
    private final List<FieldError> errors;

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

    /** One invalid field; {@code field} uses the JSON (snake_case) name. */
    public record FieldError(String field, String message) {}
}
